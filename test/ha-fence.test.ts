/**
 * The fence of HA mode, on a real PostgreSQL: a node's writes commit only while it holds the
 * lock. Two storage backends stand for two nodes; the first one's lock is left to expire
 * (as when its process is paused) and the second takes it over. Every write of the first
 * one from then on fails as a whole, and nothing of it is in the table.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pgClient from 'pg';
import { after, before, describe, it } from 'node:test';
import { parsePgConfig } from '../src/physical/postgresql/pg-config.js';
import { FENCED_MESSAGE, PostgresBackend } from '../src/physical/postgresql/pg-backend.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

let pg: TestPostgres;
const open: PostgresBackend[] = [];

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  for (const b of open) await b.close().catch(() => undefined);
  await pg?.stop();
});

async function node(): Promise<PostgresBackend> {
  const config = parsePgConfig({ connection_url: pg.url('postgres', pg.password), table: 'fence_kv', ha_enabled: 'true' }, {});
  const backend = await PostgresBackend.open(config);
  open.push(backend);
  return backend;
}

const info = (name: string) => ({ hostname: name, apiAddr: `http://${name}:8200`, clusterAddr: `https://${name}:8201` });
const stored = async (key: string) => (await pg.query<{ value: Buffer }>('SELECT value FROM fence_kv WHERE path = $1 AND key = $2', ['/', key])).rows[0]?.value.toString();

describe('fencing writes with the HA lock', () => {
  it('commits a write only while its node holds the lock; a taken-over node writes nothing', async () => {
    const [a, b] = [await node(), await node()];
    let aFenced = 0;
    const lockA = a.haLock(info('a'), () => aFenced++, { ttlMs: 1500, queryTimeoutMs: 1000 });
    const lockB = b.haLock(info('b'), () => undefined, { ttlMs: 1500, queryTimeoutMs: 1000 });
    try {
      assert.equal(await lockA.acquire(), true);
      assert.equal(await lockB.acquire(), false, 'the lock is held');
      assert.equal((await lockB.holder())?.info.apiAddr, 'http://a:8200');

      await a.put('k', Buffer.from('from-a'));
      await assert.rejects(b.put('k', Buffer.from('from-b-standby')), (err: Error & { status?: number }) => err.message === FENCED_MESSAGE && err.status === 503);
      assert.equal(await stored('k'), 'from-a');

      // a stops renewing (paused); once its lease has run out, b takes over.
      await sleep(1700);
      assert.equal(await lockB.acquire(), true, 'b takes the expired lock');
      assert.equal(await lockA.acquire(), false, 'a cannot take it back while b holds it');

      // Everything a sends now fails whole: a batch of several callers, and a transaction.
      const writes = [a.put('k', Buffer.from('late-a')), a.put('other', Buffer.from('late-a')), a.transaction([{ kind: 'put', key: 't1', value: Buffer.from('x') }, { kind: 'delete', key: 'k' }])];
      const results = await Promise.allSettled(writes);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
      assert.ok(aFenced > 0, 'the node is told it was fenced');
      assert.equal(await stored('k'), 'from-a');
      assert.equal(await stored('other'), undefined);
      assert.equal(await stored('t1'), undefined);

      await b.put('k', Buffer.from('from-b'));
      assert.equal(await stored('k'), 'from-b');
    } finally {
      await lockA.close();
      await lockB.close();
    }
  });

  it('makes a takeover wait for a fenced write in progress, and refuses the write once it is over', async () => {
    const [a, b] = [await node(), await node()];
    const lockA = a.haLock(info('a'), () => undefined, { ttlMs: 1000, queryTimeoutMs: 1000 });
    const lockB = b.haLock(info('b'), () => undefined, { ttlMs: 1000, queryTimeoutMs: 1000 });
    try {
      await pg.query(`DELETE FROM vault_ha_locks`);
      assert.equal(await lockA.acquire(), true);
      // A third party holds the lock row while a's lease runs out: a's write then waits on it.
      const client = new pgClient.Client({ connectionString: pg.url('postgres', pg.password) });
      await client.connect();
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM vault_ha_locks WHERE ha_key = 'core/lock' FOR UPDATE`);
      const started = Date.now();
      const write = a.put('waiting', Buffer.from('a'));
      let settledAfter = -1;
      write.catch(() => undefined).finally(() => (settledAfter = Date.now() - started));
      await sleep(1200);
      assert.equal(settledAfter, -1, 'the write waits for the lock row');
      // b's takeover commits in the third party's transaction, as if b had made it.
      await client.query(`UPDATE vault_ha_locks SET ha_identity = $1, valid_until = now() + interval '10 seconds' WHERE ha_key = 'core/lock'`, [lockB.identity]);
      await client.query('COMMIT');
      await client.end();
      await assert.rejects(write, /no longer the active node/);
      assert.equal(await stored('waiting'), undefined);
    } finally {
      await lockA.close();
      await lockB.close();
    }
  });
});
