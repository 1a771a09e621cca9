/**
 * A real `coffer server` process on `storage "postgresql"`: kv-v2 writes acknowledged
 * before a kill -9 are all there after a restart, and with the database stopped under the
 * running server requests get a clear 503 (no password in it), the process stays up, and
 * service comes back by itself when the database does, with every acknowledged write.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { client, initialize, killHard, startDurable, unseal } from './helpers/durable-server.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { freePort, stopAllProcessServers, type HttpResult } from './helpers/process-server.js';

const WRITERS = 32;
const WRITE_FOR_MS = 1500;

let pgServer: TestPostgres;
let dir: string;
let cfg: { configPath: string; address: string };

before(async () => {
  pgServer = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'coffer-pg-storage-'));
  const port = await freePort();
  cfg = { configPath: join(dir, 'coffer.hcl'), address: `http://127.0.0.1:${port}` };
  writeFileSync(
    cfg.configPath,
    `storage "postgresql" {
  connection_url = ${JSON.stringify(pgServer.url('postgres', pgServer.password))}
  table          = "coffer_kv_store"
  max_parallel   = 16
}

listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}

log_level = "warn"
`,
  );
});

after(async () => {
  await stopAllProcessServers();
  await pgServer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every acknowledged kv-v2 write, key → value, across both tests. */
const acked = new Map<string, string>();
let unsealKey = '';
let rootToken = '';

async function readBack(server: Awaited<ReturnType<typeof startDurable>>, keys: [string, string][]): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
  const read = client(server, rootToken, agent);
  const wrong: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < keys.length) {
        const [key, value] = keys[next++]!;
        const res = await read('GET', `kv/data/${key}`);
        if (res.status !== 200 || res.json.data?.data?.value !== value) wrong.push(`${key}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }),
  );
  agent.destroy();
  return wrong;
}

describe('coffer server on storage "postgresql"', () => {
  it('keeps every acknowledged kv-v2 write across kill -9', async (t) => {
    let server = await startDurable(cfg);
    const init = await initialize(server, 1, 1);
    [unsealKey, rootToken] = [init.keys[0]!, init.rootToken];
    await unseal(server, [unsealKey]);
    let root = client(server, rootToken);
    assert.equal((await root('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status, 204);

    const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
    const write = client(server, rootToken, agent);
    const unexpected: string[] = [];
    let stopping = false;
    const writer = async (w: number) => {
      for (let n = 0; !stopping; n++) {
        const key = `w${w}/k${n}`;
        const value = `${key}:${randomBytes(12).toString('base64url')}`;
        let res: HttpResult;
        try {
          res = await write('POST', `kv/data/${key}`, { data: { value } });
        } catch {
          return; // died with the server: not acknowledged
        }
        if (res.status === 200) acked.set(key, value);
        else return void unexpected.push(`${key}: ${res.status} ${res.text}`);
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    // At least WRITE_FOR_MS and 150 acknowledged writes (a busy machine may need longer).
    const started = Date.now();
    while ((Date.now() - started < WRITE_FOR_MS || acked.size < 150) && Date.now() - started < 20_000 && unexpected.length === 0) await sleep(50);
    const seconds = (Date.now() - started) / 1000;
    const before = acked.size;
    await killHard(server);
    stopping = true;
    await Promise.all(writers);
    agent.destroy();
    assert.deepEqual(unexpected, []);
    assert.ok(before > 100, `only ${before} writes acknowledged before the kill`);

    server = await startDurable(cfg);
    await unseal(server, [unsealKey]);
    root = client(server, rootToken);
    assert.equal((await root('GET', 'auth/token/lookup-self')).status, 200, 'root token survived');
    const wrong = await readBack(server, [...acked.entries()]);
    t.diagnostic(`${acked.size} kv-v2 writes acknowledged (~${Math.round(before / seconds)}/s with ${WRITERS} writers) and read back after kill -9`);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${acked.size} acknowledged writes lost or wrong`);
    const exit = await server.stop();
    assert.equal(exit.code, 0, server.stderr());
  });

  it('answers 503 while PostgreSQL is down, keeps running, and recovers by itself', async () => {
    assert.ok(rootToken, 'needs the server initialized by the test before');
    const server = await startDurable(cfg);
    await unseal(server, [unsealKey]);
    const root = client(server, rootToken);
    for (let i = 0; i < 20; i++) {
      const value = `before-outage-${i}`;
      const res = await root('POST', `kv/data/outage/${i}`, { data: { value } });
      assert.equal(res.status, 200, res.text);
      acked.set(`outage/${i}`, value);
    }

    await pgServer.halt();
    try {
      const w = await root('POST', 'kv/data/outage/during', { data: { value: 'x' } });
      assert.equal(w.status, 503, w.text);
      assert.match(w.json.errors[0], /^storage unavailable: the PostgreSQL server at 127\.0\.0\.1:\d+\/postgres cannot be reached/);
      const r = await root('GET', 'kv/data/never-written');
      assert.equal(r.status, 503, r.text);
      const l = await root('LIST', 'kv/metadata/outage');
      assert.equal(l.status, 503, l.text);
      for (const text of [w.text, r.text, l.text, server.stdout(), server.stderr()]) {
        assert.ok(!text.includes(pgServer.password), 'the database password leaked');
      }
      assert.equal(server.child.exitCode, null, 'the server process is still running');
    } finally {
      await pgServer.resume();
    }

    // No restart, no unseal: the next requests reach the database again.
    const res = await root('POST', 'kv/data/outage/after', { data: { value: 'after' } });
    assert.equal(res.status, 200, res.text);
    acked.set('outage/after', 'after');
    assert.equal((await root('GET', 'kv/data/outage/during')).status, 404, 'the refused write did not land');
    const wrong = await readBack(server, [...acked.entries()]);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${acked.size} acknowledged writes lost or wrong`);
    const list = await root('LIST', 'kv/metadata/outage');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.data.keys.length, 21);
    const exit = await server.stop();
    assert.equal(exit.code, 0, server.stderr());
  });
});
