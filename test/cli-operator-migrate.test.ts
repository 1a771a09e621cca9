/**
 * `coffer operator migrate` between real stores: a server on SQLite with kv-v2 secrets, a
 * transit key, a token and a policy is stopped and migrated to a throwaway PostgreSQL; a
 * server on PostgreSQL unseals with the same unseal keys and answers everything as
 * before. Then back again, PostgreSQL to a fresh SQLite file, with a write made on
 * PostgreSQL in between.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanUpDurableServers, client, initialize, sqliteConfig, startDurable, unseal, type DurableConfig } from './helpers/durable-server.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { freePort, runCli, type ProcessServer } from './helpers/process-server.js';

const SECRETS = 1200; // more than one listPage (1000) in one folder, and several write batches

let pgServer: TestPostgres;
let sqlite: DurableConfig;
let pgUrl: string;

before(async () => {
  pgServer = await startPostgres();
  pgUrl = pgServer.url('postgres', pgServer.password);
  sqlite = await sqliteConfig();
});

after(async () => {
  await cleanUpDurableServers();
  await pgServer?.stop();
});

async function pgServerConfig(dir: string): Promise<{ configPath: string; address: string }> {
  const port = await freePort();
  const configPath = join(dir, 'coffer-pg.hcl');
  writeFileSync(
    configPath,
    `storage "postgresql" {
  connection_url = ${JSON.stringify(pgUrl)}
  table          = "coffer_store"
}
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
log_level = "warn"
`,
  );
  return { configPath, address: `http://127.0.0.1:${port}` };
}

function migrateConfig(dir: string, name: string, source: string, destination: string): string {
  const path = join(dir, name);
  writeFileSync(path, `storage_source ${source}\n\nstorage_destination ${destination}\n\ncluster_addr = "https://127.0.0.1:8201"\n`);
  return path;
}

const sqliteBlock = (path: string) => `"sqlite" {\n  path = ${JSON.stringify(path)}\n}`;
const pgBlock = () => `"postgresql" {\n  connection_url = ${JSON.stringify(pgUrl)}\n  table = "coffer_store"\n}`;

async function inParallel(n: number, run: (i: number) => Promise<void>, width = 16): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await run(next++);
  }));
}

/** Everything the first server wrote, as the later servers must give it back. */
const state = { keys: [] as string[], root: '', token: '', ciphertext: '', policy: '' };

async function expectEverything(server: ProcessServer) {
  const root = client(server, state.root);
  const v1 = await root('GET', 'kv/data/app/db?version=1');
  assert.equal(v1.status, 200, v1.text);
  assert.deepEqual(v1.json.data.data, { password: 'first' });
  const latest = await root('GET', 'kv/data/app/db');
  assert.deepEqual(latest.json.data.data, { password: 'second' });
  assert.equal(latest.json.data.metadata.version, 2);
  const listed = await root('LIST', 'kv/metadata/bulk');
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.data.keys.length, SECRETS);
  for (const i of [0, 517, SECRETS - 1]) {
    const res = await root('GET', `kv/data/bulk/s${i}`);
    assert.deepEqual(res.json.data?.data, { n: String(i) }, res.text);
  }
  const dec = await root('PUT', 'transit/decrypt/orders', { ciphertext: state.ciphertext });
  assert.equal(dec.status, 200, dec.text);
  assert.equal(Buffer.from(dec.json.data.plaintext, 'base64').toString(), 'order 66');
  const policy = await root('GET', 'sys/policies/acl/app-reader');
  assert.equal(policy.json.data?.policy, state.policy, policy.text);
  const user = client(server, state.token);
  const self = await user('GET', 'auth/token/lookup-self');
  assert.equal(self.status, 200, self.text);
  assert.deepEqual(self.json.data.policies, ['app-reader', 'default']);
  assert.equal((await user('GET', 'kv/data/app/db')).status, 200, 'the old token reads what its policy allows');
  assert.equal((await user('GET', 'kv/data/bulk/s1')).status, 403, 'and nothing else');
}

async function unsealWith(server: ProcessServer, keys: string[]) {
  const status = await client(server)('GET', 'sys/seal-status');
  assert.equal(status.json.initialized, true, status.text);
  assert.equal(status.json.sealed, true);
  await unseal(server, keys.slice(0, 2));
}

let unsealKeys: string[] = [];

describe('coffer operator migrate', () => {
  it('moves a SQLite store to PostgreSQL: same unseal keys, same secrets, transit keys, tokens and policies', async () => {
    const server = await startDurable(sqlite);
    const init = await initialize(server, 3, 2);
    unsealKeys = init.keys;
    state.root = init.rootToken;
    await unseal(server, init.keys.slice(0, 2));
    const root = client(server, state.root);
    assert.equal((await root('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status, 204);
    assert.equal((await root('POST', 'sys/mounts/transit', { type: 'transit' })).status, 204);
    await root('PUT', 'kv/data/app/db', { data: { password: 'first' } });
    await root('PUT', 'kv/data/app/db', { data: { password: 'second' } });
    await inParallel(SECRETS, async (i) => {
      const res = await root('PUT', `kv/data/bulk/s${i}`, { data: { n: String(i) } });
      assert.equal(res.status, 200, res.text);
    });
    assert.ok((await root('PUT', 'transit/keys/orders', {})).status < 300);
    const enc = await root('PUT', 'transit/encrypt/orders', { plaintext: Buffer.from('order 66').toString('base64') });
    state.ciphertext = enc.json.data.ciphertext;
    state.policy = 'path "kv/data/app/*" {\n  capabilities = ["read"]\n}\n';
    assert.ok((await root('PUT', 'sys/policies/acl/app-reader', { policy: state.policy })).status < 300);
    const tok = await root('POST', 'auth/token/create', { policies: ['app-reader'], ttl: '1h' });
    state.token = tok.json.auth.client_token;
    await expectEverything(server);
    await server.stop();

    const cfg = migrateConfig(sqlite.dir, 'to-pg.hcl', sqliteBlock(sqlite.dbPath), pgBlock());
    const res = await runCli(['operator', 'migrate', `-config=${cfg}`], 120_000);
    assert.equal(res.code, 0, res.stderr);
    const copied = Number(/(\d+) keys copied/.exec(res.stdout)?.[1]);
    const rows = await pgServer.query<{ n: string }>('SELECT count(*) AS n FROM coffer_store');
    assert.equal(copied, Number(rows.rows[0]!.n), 'the summary counts every key now in PostgreSQL');
    assert.ok(copied > 2 * SECRETS, `${copied} keys copied`);
    assert.match(res.stderr, /Copied 500 keys/, 'progress on stderr');
    const lock = await pgServer.query("SELECT 1 FROM coffer_store WHERE path = '/core/' AND key = 'migration'");
    assert.equal(lock.rowCount, 0, 'the migration lock is not copied');

    const onPg = await startDurable(await pgServerConfig(sqlite.dir));
    await unsealWith(onPg, unsealKeys);
    await expectEverything(onPg);
    // A write on the new store, to see it carried back below.
    assert.equal((await client(onPg, state.root)('PUT', 'kv/data/app/moved', { data: { on: 'postgresql' } })).status, 200);
    await onPg.stop();
  });

  it('moves a PostgreSQL store to a new SQLite file, including writes made on PostgreSQL', async () => {
    const back = await sqliteConfig();
    const cfg = migrateConfig(back.dir, 'to-sqlite.hcl', pgBlock(), sqliteBlock(back.dbPath));
    const res = await runCli(['operator', 'migrate', `-config=${cfg}`], 120_000);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Success! .* keys copied/);

    const server = await startDurable(back);
    await unsealWith(server, unsealKeys.slice(1));
    await expectEverything(server);
    const moved = await client(server, state.root)('GET', 'kv/data/app/moved');
    assert.deepEqual(moved.json.data?.data, { on: 'postgresql' }, moved.text);
    await server.stop();
  });
});
