/**
 * What the kill -9 tests share: an SQLite-backed server in its own process (so it can be
 * killed for real), init, unseal, and a terse client. Temp dirs and servers are cleaned up
 * by `cleanUpDurableServers`, which each test file calls from its `after` hook.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcessServer, stopAllProcessServers, type HttpOptions, type HttpResult, type ProcessServer } from './process-server.js';

const dirs: string[] = [];

export async function cleanUpDurableServers(): Promise<void> {
  await stopAllProcessServers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface DurableConfig {
  dir: string;
  configPath: string;
  address: string;
  dbPath: string;
}

/** A temp dir with a config file for an SQLite-backed server on a free port. */
export async function sqliteConfig(): Promise<DurableConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-durability-'));
  dirs.push(dir);
  const port = await freePort();
  const dbPath = join(dir, 'data', 'coffer.db');
  const configPath = join(dir, 'coffer.hcl');
  writeFileSync(
    configPath,
    `storage "sqlite" {
  path = ${JSON.stringify(dbPath)}
}

listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}

log_level = "warn"
`,
  );
  return { dir, configPath, address: `http://127.0.0.1:${port}`, dbPath };
}

export const startDurable = (cfg: { configPath: string; address: string }) => startProcessServer({ args: [`-config=${cfg.configPath}`], address: cfg.address });

export type Call = (method: string, path: string, body?: unknown, opts?: HttpOptions) => Promise<HttpResult>;

export function client(server: ProcessServer, token?: string, agent?: http.Agent): Call {
  return (method, path, body, opts = {}) =>
    server.request(`/v1/${path}`, {
      method,
      body,
      headers: token ? { 'X-Vault-Token': token } : {},
      ...(agent ? { agent } : {}),
      ...opts,
    });
}

export async function initialize(server: ProcessServer, shares: number, threshold: number) {
  const res = await client(server)('PUT', 'sys/init', { secret_shares: shares, secret_threshold: threshold });
  assert.equal(res.status, 200, res.text);
  const keys = res.json.keys as string[];
  const rootToken = res.json.root_token as string;
  assert.equal(keys.length, shares);
  assert.ok(rootToken);
  return { keys, rootToken };
}

export async function unseal(server: ProcessServer, keys: string[]) {
  let res: HttpResult | undefined;
  for (const key of keys) {
    res = await client(server)('PUT', 'sys/unseal', { key });
    assert.equal(res.status, 200, res.text);
  }
  assert.equal(res!.json.sealed, false, res!.text);
}

export async function expectRestartedSealed(server: ProcessServer, t: number, n: number) {
  const status = await client(server)('GET', 'sys/seal-status');
  assert.equal(status.status, 200, status.text);
  assert.equal(status.json.initialized, true, 'still initialized after the crash');
  assert.equal(status.json.sealed, true, 'a restarted server starts sealed');
  assert.equal(status.json.t, t);
  assert.equal(status.json.n, n);
  assert.equal((await client(server)('GET', 'sys/health')).status, 503);
}

export async function killHard(server: ProcessServer) {
  const exit = await server.kill('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL', `expected death by SIGKILL, got ${JSON.stringify(exit)}`);
}
