/**
 * What `coffer operator migrate` refuses, each with a message naming the problem and
 * nothing changed: a destination that is the source, an unknown storage type, a
 * destination that cannot be reached (without its password in the message), a source that
 * is missing or not initialized, and a source whose migration lock is held. The lock also
 * keeps a server off the store until `-reset` clears it; `-start` copies from a key on.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteBackend } from '../src/physical/sqlite/sqlite-backend.js';
import { setMigrationLock } from '../src/server/migration.js';
import { cleanUpDurableServers, initialize, sqliteConfig, startDurable, type DurableConfig } from './helpers/durable-server.js';
import { freePort, runCli } from './helpers/process-server.js';

let initialized: DurableConfig;
let blank: DurableConfig;

before(async () => {
  initialized = await sqliteConfig();
  const server = await startDurable(initialized);
  await initialize(server, 1, 1);
  await server.stop();
  blank = await sqliteConfig();
  await (await startDurable(blank)).stop(); // a store a server opened but nobody initialized
});

after(cleanUpDurableServers);

function config(name: string, text: string): string {
  const path = join(initialized.dir, name);
  writeFileSync(path, text);
  return path;
}

const sqlite = (path: string) => `"sqlite" {\n  path = ${JSON.stringify(path)}\n}`;
const migrate = (path: string, ...flags: string[]) => runCli(['operator', 'migrate', `-config=${path}`, ...flags], 30_000);

/** Every key of an SQLite store, opened directly. */
async function keysOf(path: string): Promise<string[]> {
  const db = SqliteBackend.open(path);
  const out: string[] = [];
  const walk = async (prefix: string) => {
    for (const e of await db.list(prefix)) if (e.endsWith('/')) await walk(prefix + e); else out.push(prefix + e);
  };
  await walk('');
  await db.close();
  return out.sort();
}

describe('coffer operator migrate refuses', () => {
  it('a destination that is the source itself', async () => {
    const res = await migrate(config('same.hcl', `storage_source ${sqlite(initialized.dbPath)}\nstorage_destination ${sqlite(join(initialized.dir, 'data', '..', 'data', 'coffer.db'))}\n`));
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, /storage_source and storage_destination are the same storage/);
  });

  it('an unknown storage type, and a missing block', async () => {
    const res = await migrate(config('consul.hcl', `storage_source ${sqlite(initialized.dbPath)}\nstorage_destination "consul" {\n  address = "127.0.0.1:8500"\n}\n`));
    assert.equal(res.code, 1);
    assert.match(res.stderr, /storage_destination: unknown storage type "consul"/);
    const none = await migrate(config('none.hcl', `storage_source ${sqlite(initialized.dbPath)}\n`));
    assert.match(none.stderr, /exactly one storage_destination block is required/);
    const usage = await runCli(['operator', 'migrate'], 30_000);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /-config/);
  });

  it('a destination that cannot be reached, naming it without its password and leaving no lock', async () => {
    const port = await freePort();
    const res = await migrate(
      config('down.hcl', `storage_source ${sqlite(initialized.dbPath)}\nstorage_destination "postgresql" {\n  connection_url = "postgres://coffer:hunter2-secret@127.0.0.1:${port}/coffer"\n}\n`),
    );
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`Error opening destination storage postgresql: .*127\\.0\\.0\\.1:${port}/coffer cannot be reached`));
    assert.doesNotMatch(res.stderr + res.stdout, /hunter2/);
    assert.ok(!(await keysOf(initialized.dbPath)).includes('core/migration'), 'no lock left on the source');
  });

  it('a source that does not exist or is not initialized, creating nothing', async () => {
    const dest = join(blank.dir, 'dest.db');
    const missing = join(blank.dir, 'nope', 'coffer.db');
    const res = await migrate(config('missing.hcl', `storage_source ${sqlite(missing)}\nstorage_destination ${sqlite(dest)}\n`));
    assert.equal(res.code, 1);
    assert.match(res.stderr, /sqlite database .*nope\/coffer\.db does not exist/);
    assert.equal(existsSync(missing), false);
    const empty = await migrate(config('blank.hcl', `storage_source ${sqlite(blank.dbPath)}\nstorage_destination ${sqlite(dest)}\n`));
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /the source storage sqlite \(.*\) is not initialized/);
    assert.equal(existsSync(dest), false, 'the destination was never opened');
  });

  it('a source with a migration lock (and so does a server) until -reset; -start copies from a key on', async () => {
    const src = SqliteBackend.open(initialized.dbPath);
    await setMigrationLock(src, new Date('2026-12-01T10:00:00Z')); // as a killed migration leaves it
    await src.close();
    const dest = join(initialized.dir, 'copy.db');
    const cfg = config('locked.hcl', `storage_source ${sqlite(initialized.dbPath)}\nstorage_destination ${sqlite(dest)}\n`);
    const refused = await migrate(cfg);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /a storage migration is already in progress on the source \(started: 2026-12-01T10:00:00\.000Z\).*-reset/);
    assert.equal(existsSync(dest), false);
    await assert.rejects(startDurable(initialized), /storage migration in progress \(started: 2026-12-01T10:00:00\.000Z\)/);

    const reset = await migrate(cfg, '-reset');
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /Migration lock removed/);
    assert.equal(existsSync(dest), false, '-reset copies nothing');

    const partial = await migrate(cfg, '-start=core/m');
    assert.equal(partial.code, 0, partial.stderr);
    const all = (await keysOf(initialized.dbPath)).filter((k) => k !== 'core/migration');
    const copied = await keysOf(dest);
    assert.deepEqual(copied, all.filter((k) => k >= 'core/m'));
    assert.ok(copied.includes('core/seal-config') && !copied.includes('core/keyring'));
    assert.match(partial.stdout, new RegExp(`${copied.length} keys copied`));
    const server = await startDurable(initialized); // the lock is gone once a migration ends
    await server.stop();
  });
});
