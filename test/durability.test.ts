/**
 * Durability: a server on SQLite storage is killed with SIGKILL (no shutdown, no flush)
 * in the middle of a stream of concurrent writes. Every write the server acknowledged
 * (answered 204) must be there, with its exact value, after a restart and unseal; writes
 * that were in flight may or may not be. Init state, the root token, mounts, policies,
 * tokens and the barrier keyring (after sys/rotate) must survive the same way.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { cleanUpDurableServers, client, expectRestartedSealed, initialize, killHard, sqliteConfig, startDurable as start, unseal } from './helpers/durable-server.js';
import type { HttpResult } from './helpers/process-server.js';

const WRITERS = 32;
const WRITE_FOR_MS = 1500;

after(cleanUpDurableServers);

const READER_POLICY = 'path "kv/*" {\n  capabilities = ["read", "list"]\n}\n';

describe('durability: SIGKILL in the middle of concurrent writes (sqlite storage)', () => {
  it('keeps every acknowledged write, the root token, a mount, a policy and a token across kill -9', async (t) => {
    const cfg = await sqliteConfig();
    let server = await start(cfg);
    assert.equal((await client(server)('GET', 'sys/health')).status, 501, 'fresh storage: not initialized');

    const { keys, rootToken } = await initialize(server, 3, 2);
    await unseal(server, [keys[0]!, keys[1]!]);
    let root = client(server, rootToken);

    assert.equal((await root('POST', 'sys/mounts/kv', { type: 'kv', description: 'durability' })).status, 204);
    assert.equal((await root('PUT', 'sys/policies/acl/durable-reader', { policy: READER_POLICY })).status, 204);
    const created = await root('POST', 'auth/token/create', { policies: ['durable-reader'], ttl: '1h' });
    assert.equal(created.status, 200, created.text);
    const readerToken = created.json.auth.client_token as string;

    // The write stream: distinct keys, known values; a key counts as acknowledged only
    // when its 204 arrived. Every 8th step a writer deletes one of its earlier keys: an
    // acknowledged delete must stay deleted, an unacknowledged one may or may not apply.
    const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
    const writeAsRoot = client(server, rootToken, agent);
    const acked = new Map<string, string>();
    const attempted = new Map<string, string>();
    const deleted = new Set<string>();
    const unexpected: string[] = [];
    let stopping = false;
    let requests = 0;
    const writer = async (w: number) => {
      for (let n = 0; !stopping; n++) {
        const key = `w${w}/k${n}`;
        if (n % 8 === 7) {
          const victim = `w${w}/k${n - 4}`;
          acked.delete(victim); // from now on it may or may not exist
          let res: HttpResult;
          try {
            res = await writeAsRoot('DELETE', `kv/${victim}`);
          } catch {
            return;
          }
          requests++;
          if (res.status === 204) {
            deleted.add(victim);
            attempted.delete(victim);
          } else {
            unexpected.push(`delete ${victim}: ${res.status} ${res.text}`);
            return;
          }
          continue;
        }
        const value = `${key}:${randomBytes(12).toString('base64url')}`;
        attempted.set(key, value);
        let res: HttpResult;
        try {
          res = await writeAsRoot('POST', `kv/${key}`, { value, n, writer: w });
        } catch {
          return; // the connection died with the server: this write is not acknowledged
        }
        requests++;
        if (res.status === 204) acked.set(key, value);
        else {
          unexpected.push(`${key}: ${res.status} ${res.text}`);
          return;
        }
      }
    };
    const started = Date.now();
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, WRITE_FOR_MS));
    const ackedBeforeKill = requests;
    await killHard(server);
    const elapsed = (Date.now() - started) / 1000;
    stopping = true;
    await Promise.all(writers);
    agent.destroy();
    assert.deepEqual(unexpected, [], 'every write before the kill was answered 204');
    assert.ok(ackedBeforeKill > 0, 'the server was killed while writes were being acknowledged');
    assert.ok(attempted.size > acked.size, 'some writes were in flight when the server died');

    server = await start(cfg);
    await expectRestartedSealed(server, 2, 3);
    await unseal(server, [keys[2]!, keys[0]!]); // any two of the same three shares
    root = client(server, rootToken);

    const self = await root('GET', 'auth/token/lookup-self');
    assert.equal(self.status, 200, `root token after restart: ${self.text}`);
    assert.deepEqual(self.json.data.policies, ['root']);

    const mounts = await root('GET', 'sys/mounts');
    assert.equal(mounts.status, 200, mounts.text);
    assert.equal(mounts.json.data['kv/']?.type, 'kv');
    assert.equal(mounts.json.data['kv/']?.description, 'durability');

    const policy = await root('GET', 'sys/policies/acl/durable-reader');
    assert.equal(policy.status, 200, policy.text);
    assert.equal(policy.json.data.policy, READER_POLICY);

    // Every acknowledged write, exactly; in-flight ones may or may not exist, but if one
    // does, it holds the value that was sent.
    const readAgent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
    const readAsRoot = client(server, rootToken, readAgent);
    const lost: string[] = [];
    const wrong: string[] = [];
    let inFlightPresent = 0;
    const entries = [...attempted.entries()];
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < entries.length) {
          const [key, value] = entries[next++]!;
          const res = await readAsRoot('GET', `kv/${key}`);
          const wasAcked = acked.has(key);
          if (res.status === 404) {
            if (wasAcked) lost.push(key);
            continue;
          }
          if (res.status !== 200) {
            wrong.push(`${key}: status ${res.status} ${res.text}`);
            continue;
          }
          if (!wasAcked) inFlightPresent++;
          if (res.json.data?.value !== value) wrong.push(`${key}: read ${JSON.stringify(res.json.data)}, wrote ${value}`);
        }
      }),
    );
    const resurrected: string[] = [];
    for (const key of deleted) {
      const res = await readAsRoot('GET', `kv/${key}`);
      if (res.status !== 404) resurrected.push(`${key}: ${res.status}`);
    }
    readAgent.destroy();
    const rate = Math.round(ackedBeforeKill / (WRITE_FOR_MS / 1000));
    t.diagnostic(
      `durability: ${WRITERS} writers, ${requests} writes acknowledged (puts and deletes; ${acked.size} live keys checked, ` +
        `${deleted.size} acknowledged deletes checked), ~${rate} acknowledged writes/s over ${WRITE_FOR_MS} ms ` +
        `(kill completed after ${elapsed.toFixed(2)} s); ${attempted.size - acked.size} keys uncertain at the kill, ` +
        `${inFlightPresent} of those present after restart`,
    );
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} of ${acked.size} acknowledged writes lost`);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} entries read back wrong`);
    assert.deepEqual(resurrected.slice(0, 10), [], `${resurrected.length} acknowledged deletes undone`);

    // The token created before the kill still works, with its policy.
    const reader = client(server, readerToken);
    const [someKey, someValue] = [...acked.entries()][0]!;
    const read = await reader('GET', `kv/${someKey}`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.data.value, someValue);
    assert.equal((await reader('POST', `kv/${someKey}`, { value: 'x' })).status, 403);

    const exit = await server.stop();
    assert.equal(exit.code, 0, `clean stop: ${server.stderr()}`);
  });

  it('keeps init, a barrier rotation, a policy, a mount and a token acknowledged right before kill -9', async () => {
    const cfg = await sqliteConfig();
    let server = await start(cfg);
    const { keys, rootToken } = await initialize(server, 1, 1);
    await killHard(server); // no pause: the acknowledgement alone must mean "on disk"

    server = await start(cfg);
    await expectRestartedSealed(server, 1, 1);
    await unseal(server, keys);
    let root = client(server, rootToken);
    assert.equal((await root('POST', 'sys/mounts/kv', { type: 'kv' })).status, 204);
    assert.equal((await root('POST', 'kv/before-rotate', { value: 'old term' })).status, 204);

    const before = await root('GET', 'sys/key-status');
    assert.equal(before.status, 200, before.text);
    const term = before.json.data.term as number;
    assert.ok(Number.isInteger(term) && term >= 1);

    assert.equal((await root('PUT', 'sys/rotate')).status, 204);
    assert.equal((await root('PUT', 'sys/policies/acl/after-rotate', { policy: READER_POLICY })).status, 204);
    assert.equal((await root('POST', 'kv/after-rotate', { value: 'new term' })).status, 204);
    assert.equal((await root('POST', 'sys/mounts/late', { type: 'kv' })).status, 204);
    // kv-v2: each write commits its version and the key's metadata in one transaction.
    assert.equal((await root('POST', 'sys/mounts/kv2', { type: 'kv-v2' })).status, 204);
    assert.equal((await root('POST', 'kv2/data/app', { data: { v: 1 } })).status, 200);
    assert.equal((await root('POST', 'kv2/data/app', { data: { v: 2 } })).status, 200);
    const created = await root('POST', 'auth/token/create', { policies: ['after-rotate'] });
    assert.equal(created.status, 200, created.text);
    const token = created.json.auth.client_token as string;
    await killHard(server);

    server = await start(cfg);
    await expectRestartedSealed(server, 1, 1);
    await unseal(server, keys);
    root = client(server, rootToken);

    const afterStatus = await root('GET', 'sys/key-status');
    assert.equal(afterStatus.status, 200, afterStatus.text);
    assert.equal(afterStatus.json.data.term, term + 1, 'the rotation survived');

    const policy = await root('GET', 'sys/policies/acl/after-rotate');
    assert.equal(policy.status, 200, `policy written before the kill: ${policy.text}`);
    assert.equal(policy.json.data.policy, READER_POLICY);

    assert.equal((await root('GET', 'kv/before-rotate')).json?.data?.value, 'old term', 'entries of the old term still decrypt');
    assert.equal((await root('GET', 'kv/after-rotate')).json?.data?.value, 'new term');
    assert.equal((await root('GET', 'sys/mounts')).json?.data?.['late/']?.type, 'kv', 'the mount made right before the kill');
    const v2 = await root('GET', 'kv2/data/app');
    assert.deepEqual([v2.json?.data?.data, v2.json?.data?.metadata?.version], [{ v: 2 }, 2], 'both kv-v2 versions, data and metadata');
    assert.deepEqual((await root('GET', 'kv2/data/app?version=1')).json?.data?.data, { v: 1 });

    const self = await client(server, token)('GET', 'auth/token/lookup-self');
    assert.equal(self.status, 200, `token created right before the kill: ${self.text}`);
    assert.deepEqual(self.json.data.policies, ['after-rotate', 'default']);
    assert.equal((await client(server, token)('GET', 'kv/after-rotate')).json?.data?.value, 'new term');

    assert.equal((await server.stop()).code, 0, server.stderr());
  });
});
