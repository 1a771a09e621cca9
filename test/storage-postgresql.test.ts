/**
 * The postgresql physical backend against a throwaway PostgreSQL: the shared conformance
 * suite, then what is particular to it — Vault's table shape, group commit, a bad op in a
 * shared batch, the settings, and losing the database under a live backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPhysicalConformance } from '../src/physical/conformance.js';
import { PostgresBackend } from '../src/physical/postgresql/pg-backend.js';
import { parsePgConfig } from '../src/physical/postgresql/pg-config.js';
import { openPhysical } from '../src/physical/registry.js';
import { CofferError } from '../src/errors.js';
import { parseConfigText } from '../src/server/config-file.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

let pgServer: TestPostgres;
let tables = 0;
const pgReady = startPostgres().then((p) => (pgServer = p));

/** A backend on a table of its own, so each test starts empty. */
async function fresh(extra: Record<string, string> = {}, writer?: { maxInFlight?: number }): Promise<PostgresBackend> {
  await pgReady;
  const settings = { connection_url: pgServer.url('postgres', pgServer.password), table: `kv_${tables++}`, max_parallel: '8', ...extra };
  return PostgresBackend.open(parsePgConfig(settings, {}), writer);
}

// One server for the whole file: stopped by the last `after` below.
runPhysicalConformance('postgresql', () => fresh());

describe('postgresql backend', () => {
  before(() => pgReady);

  it("creates Vault's table shape on first start, and the HA lock table when ha_enabled", async () => {
    const b = await fresh({ table: 'coffer_store', ha_enabled: 'true', ha_table: 'coffer_locks' });
    await b.put('a/b/c', Buffer.from('v'));
    await b.put('top', Buffer.from('t'));
    const cols = await pgServer.query(
      `SELECT table_name, column_name, data_type, collation_name FROM information_schema.columns
       WHERE table_name IN ('coffer_store', 'coffer_locks') ORDER BY table_name, ordinal_position`,
    );
    assert.deepEqual(
      cols.rows.map((r) => `${r.table_name}.${r.column_name} ${r.data_type} ${r.collation_name ?? ''}`.trim()),
      [
        'coffer_locks.ha_key text C',
        'coffer_locks.ha_identity text C',
        'coffer_locks.ha_value text C',
        'coffer_locks.valid_until timestamp with time zone',
        'coffer_store.parent_path text C',
        'coffer_store.path text C',
        'coffer_store.key text C',
        'coffer_store.value bytea',
      ],
    );
    const rows = await pgServer.query('SELECT parent_path, path, key FROM coffer_store ORDER BY path, key');
    assert.deepEqual(rows.rows, [
      { parent_path: '', path: '/', key: 'top' },
      { parent_path: '/a/', path: '/a/b/', key: 'c' },
    ]);
    await b.close();
    // Opening again finds the tables there and keeps the data.
    const again = await fresh({ table: 'coffer_store', ha_enabled: 'true', ha_table: 'coffer_locks' });
    assert.equal((await again.get('a/b/c'))?.toString(), 'v');
    await again.close();
    await assert.rejects(again.get('a/b/c'), /closed/);
  });

  it('defaults to vault_kv_store and opens through the registry from VAULT_PG_CONNECTION_URL', async () => {
    const b = await openPhysical('postgresql', {}, { VAULT_PG_CONNECTION_URL: pgServer.url('postgres', pgServer.password) });
    assert.equal(b.name, 'postgresql');
    await b.put('reg', Buffer.from('x'));
    await b.close();
    const res = await pgServer.query(`SELECT key FROM vault_kv_store WHERE key = 'reg'`);
    assert.equal(res.rowCount, 1);
    assert.equal((await pgServer.query(`SELECT to_regclass('vault_ha_locks') AS t`)).rows[0]!.t, null, 'no HA table unless ha_enabled');
  });

  it('reads the storage "postgresql" stanza of a server config file (HCL and JSON)', () => {
    const hcl = parseConfigText(
      `storage "postgresql" {
  connection_url       = "postgresql://coffer:pw@db:5432/coffer"
  table                = "secrets"
  ha_enabled           = "true"
  max_parallel         = 16
  max_idle_connections = 4
}
listener "tcp" {
  address     = "127.0.0.1:8200"
  tls_disable = true
}`,
      'coffer.hcl',
      {},
    );
    assert.equal(hcl.storage.type, 'postgresql');
    const c = parsePgConfig(hcl.storage.config, {});
    assert.deepEqual([c.table, c.haEnabled, c.maxParallel, c.maxIdleConnections], ['"secrets"', true, 16, 4]);
    const json = parseConfigText(
      JSON.stringify({ storage: { postgresql: { connection_url: 'postgres://db/x' } }, listener: { tcp: { address: '127.0.0.1:8200', tls_disable: true } } }),
      'coffer.json',
      {},
    );
    assert.equal(json.storage.type, 'postgresql');
    assert.equal(parsePgConfig(json.storage.config, {}).table, '"vault_kv_store"');
  });

  it('refuses bad settings with messages naming the setting and never the password', async () => {
    assert.throws(() => parsePgConfig({}, {}), /"connection_url" is required \(or set VAULT_PG_CONNECTION_URL\)/);
    const url = 'postgresql://u:s3cret-pw@db.example:5433/coffer';
    assert.throws(() => parsePgConfig({ connection_url: url, table: 'x; DROP TABLE y' }, {}), /"table" must be a table name/);
    assert.throws(() => parsePgConfig({ connection_url: url, max_parallel: 'lots' }, {}), /"max_parallel" must be a whole number/);
    assert.throws(() => parsePgConfig({ connection_url: url, ha_enabled: 'maybe' }, {}), /"ha_enabled" must be true or false/);
    const c = parsePgConfig({ connection_url: 'postgres://ignored@x/y', table: 'app.secrets', max_parallel: '4', max_idle_connections: '2' }, { VAULT_PG_CONNECTION_URL: url });
    assert.equal(c.connectionUrl, url, 'the environment wins, as in Vault');
    assert.equal(c.table, '"app"."secrets"');
    assert.equal(c.target, 'db.example:5433/coffer');
    assert.deepEqual([c.maxParallel, c.maxIdleConnections, c.haTable], [4, 2, '"vault_ha_locks"']);
    // Wrong password: a clear 503-class error that does not echo the one given.
    const err = await openPhysical('postgresql', { connection_url: pgServer.url('postgres', 'wrong-pw-123') }, {}).then(
      () => assert.fail('opened with a wrong password'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CofferError && err.status === 503, String(err));
    assert.doesNotMatch(err.message, /wrong-pw-123/);
    assert.match(err.message, /^storage unavailable: the PostgreSQL server at 127\.0\.0\.1:\d+\/postgres refused the login \(28P01\)$/);
  });

  it('group-commits concurrent writers into few transactions', async (t) => {
    const b = await fresh();
    const before = b.commits;
    await Promise.all(Array.from({ length: 1000 }, (_, i) => b.put(`g/${i}`, Buffer.from(`v${i}`))));
    const used = b.commits - before;
    t.diagnostic(`1000 concurrent puts committed in ${used} transaction(s)`);
    assert.ok(used >= 1 && used <= 10, `${used} commits`);
    assert.equal((await b.list('g/')).length, 1000);
    await b.close();
  });

  it('a caller whose op PostgreSQL refuses in the shared batch is rejected alone', async () => {
    const b = await fresh({ table: 'kv_poison' });
    // A real database failure (no mock): a trigger refusing rows under poison/.
    await pgServer.query(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'poisoned key'; END $$`);
    await pgServer.query(`CREATE TRIGGER no_poison BEFORE INSERT ON kv_poison FOR EACH ROW
      WHEN (NEW.path LIKE '/poison/%') EXECUTE FUNCTION refuse_poison()`);
    const results = await Promise.allSettled([
      b.put('ok/1', Buffer.from('1')),
      b.put('poison/1', Buffer.from('x')),
      b.transaction([
        { kind: 'put', key: 'ok/tx', value: Buffer.from('t') },
        { kind: 'put', key: 'poison/2', value: Buffer.from('x') },
      ]),
      b.delete('ok/none'),
      b.put('ok/2', Buffer.from('2')),
      b.put('nul\0key', Buffer.from('x')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'rejected'],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /poisoned key/);
    assert.match(String((results[5] as PromiseRejectedResult).reason), /NUL/);
    assert.deepEqual(await b.list('ok/'), ['1', '2']); // the failed transaction left no ok/tx
    assert.deepEqual(await b.list(''), ['ok/']);
    await b.close();
  });

  it('commits two writes to one key in the order issued, even when their batches overlap in time', async () => {
    const b = await fresh({ table: 'kv_order' });
    // The first write's statement stalls inside PostgreSQL (a real trigger, no mock): a
    // second batch committing meanwhile would land first and then be overwritten.
    await pgServer.query(`CREATE FUNCTION slow_first() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$`);
    await pgServer.query(`CREATE TRIGGER slow BEFORE INSERT ON kv_order FOR EACH ROW
      WHEN (NEW.value = '\\x736c6f77'::bytea) EXECUTE FUNCTION slow_first()`);
    const first = b.put('k', Buffer.from('slow'));
    await new Promise((r) => setTimeout(r, 50)); // the first batch is committing now
    const other = b.put('other', Buffer.from('o')); // no shared key: may commit meanwhile
    const second = b.put('k', Buffer.from('fast'));
    await Promise.all([first, other, second]);
    assert.equal((await b.get('k'))?.toString(), 'fast');
    assert.equal((await b.get('other'))?.toString(), 'o');
    await b.close();
  });

  it('answers 503 while PostgreSQL is down, recovers by itself, and keeps acknowledged writes', async () => {
    const b = await fresh({ table: 'kv_outage' });
    const acked = Array.from({ length: 50 }, (_, i) => `o/${i}`);
    await Promise.all(acked.map((k) => b.put(k, Buffer.from(k))));
    await pgServer.halt();
    try {
      const calls = [() => b.get('o/1'), () => b.put('o/new', Buffer.from('n')), () => b.list('o/'), () => b.transaction([{ kind: 'delete', key: 'o/2' }])];
      for (const call of calls) {
        const err = await (call() as Promise<unknown>).then(() => assert.fail('succeeded with the database down'), (e: unknown) => e);
        assert.ok(err instanceof CofferError && err.status === 503, `expected a 503, got ${String(err)}`);
        assert.match(err.message, /storage unavailable: the PostgreSQL server at 127\.0\.0\.1:\d+\/postgres cannot be reached/);
        assert.ok(!err.message.includes(pgServer.password));
      }
    } finally {
      await pgServer.resume();
    }
    // Same backend object, no reopen: the pool reconnects on the next call.
    await b.put('o/after', Buffer.from('after'));
    for (const k of acked) assert.equal((await b.get(k))?.toString(), k);
    assert.equal(await b.get('o/new'), null, 'a write that failed did not land');
    assert.equal((await b.get('o/2'))?.toString(), 'o/2');
    assert.equal((await b.list('o/')).length, 51);
    await b.close();
  });
});

after(async () => {
  await pgReady;
  await pgServer.stop();
});
