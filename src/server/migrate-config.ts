/**
 * The configuration file of `coffer operator migrate`, in Vault's shape (HCL or JSON):
 *
 *     storage_source "sqlite" { path = "/var/lib/coffer/coffer.db" }
 *     storage_destination "postgresql" { connection_url = "postgres://…" }
 *     cluster_addr = "https://10.0.0.5:8201"   # optional; read and otherwise unused
 *
 * The backends' own settings are checked here too (a typo fails before anything is
 * opened), and a destination that is the source itself is refused: copying a store onto
 * itself would do nothing useful and could only harm it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { blocks, parseHcl } from '../hcl/index.js';
import { parsePgConfig } from '../physical/postgresql/pg-config.js';
import type { PhysicalType } from '../physical/registry.js';

export interface MigrateStorage {
  type: Exclude<PhysicalType, 'inmem'>;
  config: Record<string, string>;
}

export interface MigrateConfig {
  source: MigrateStorage;
  destination: MigrateStorage;
  clusterAddr?: string;
}

function storageBlock(tree: Record<string, unknown>, name: string, fail: (m: string) => never, env: NodeJS.ProcessEnv): MigrateStorage {
  const found = blocks(tree, name);
  if (found.length !== 1) fail(`exactly one ${name} block is required`);
  const block = found[0]!;
  const label = block.labels[0] ?? '';
  const type = label === 'file' ? 'sqlite' : label;
  if (type === 'inmem') fail(`${name} "inmem" holds nothing once its process ends: migrate between stored backends (sqlite, postgresql)`);
  if (type !== 'sqlite' && type !== 'postgresql') fail(`${name}: unknown storage type "${label}" (use "sqlite" or "postgresql")`);
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(block.body)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(`"${name}.${k}" must be a string`);
    config[k] = String(v);
  }
  if (type === 'sqlite' && !config['path']) fail(`${name} "sqlite": the "path" setting is required (the database file)`);
  if (type === 'sqlite' && config['path'] === ':memory:') fail(`${name} "sqlite": ":memory:" holds nothing once its process ends`);
  if (type === 'postgresql') {
    try {
      parsePgConfig(config, env);
    } catch (err) {
      fail(`${name}: ${(err as Error).message}`);
    }
  }
  return { type, config };
}

/** Where a store's data is: two stores with the same identity are the same data. */
function storageIdentity(s: MigrateStorage, env: NodeJS.ProcessEnv = process.env): string {
  if (s.type === 'sqlite') return `sqlite:${resolve(s.config['path']!)}`;
  const pg = parsePgConfig(s.config, env);
  return `postgresql:${pg.target}:${pg.table}`;
}

function parseMigrateConfigText(text: string, source = 'config', env: NodeJS.ProcessEnv = process.env): MigrateConfig {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  let tree: Record<string, unknown>;
  try {
    tree = parseHcl(text) as Record<string, unknown>;
  } catch (err) {
    return fail((err as Error).message);
  }
  const sourceStore = storageBlock(tree, 'storage_source', fail, env);
  const destination = storageBlock(tree, 'storage_destination', fail, env);
  if (storageIdentity(sourceStore, env) === storageIdentity(destination, env)) {
    fail('storage_source and storage_destination are the same storage; the destination must be a different store');
  }
  const clusterAddr = tree['cluster_addr'];
  if (clusterAddr !== undefined && typeof clusterAddr !== 'string') fail('"cluster_addr" must be a string');
  return { source: sourceStore, destination, ...(clusterAddr !== undefined ? { clusterAddr: clusterAddr as string } : {}) };
}

export function loadMigrateConfig(path: string, env: NodeJS.ProcessEnv = process.env): MigrateConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseMigrateConfigText(text, path, env);
}
