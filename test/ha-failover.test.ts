/**
 * Failover of an HA cluster on PostgreSQL, with real processes: the active node killed
 * (-9) under a write load from several clients, cut off from the database
 * (pg_terminate_backend of its connections, its role refused new logins), and paused
 * (SIGSTOP). Every acknowledged write stays readable through the new active node, and the
 * old active node lands no write after another node took over.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startHaCluster, type HaCluster, type HaNode } from './helpers/ha-cluster.js';
import { missingWrites, startWriteLoad } from './helpers/ha-load.js';

const FAILOVER_TARGET_MS = 10_000;

let cluster: HaCluster;

before(async () => {
  cluster = await startHaCluster(3);
  const active = await cluster.waitForActive();
  const mount = await active.call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });
  assert.equal(mount.status, 204, mount.text);
});

after(async () => {
  await cluster?.stop();
});

/** Waits until a node other than `old` is active; `old` must never claim it at the same time. */
async function waitForTakeover(old: HaNode, timeoutMs = 20_000): Promise<HaNode> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const others = cluster.nodes.filter((n) => n !== old);
    try {
      return await cluster.waitForActive(others, 1_000);
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

/** A PUT of a kv-v2 value sent as raw bytes on a new connection; resolves with the status line's code. */
function rawWrite(address: string, path: string, token: string, body: unknown): { sent: Promise<void>; answer: Promise<number> } {
  const url = new URL(address);
  const payload = JSON.stringify(body);
  const socket = net.connect(Number(url.port), url.hostname);
  const sent = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(`PUT /v1/${path} HTTP/1.1\r\nHost: ${url.host}\r\nX-Vault-Token: ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`, () => resolve());
    });
    socket.once('error', reject);
  });
  const answer = new Promise<number>((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (s: string) => (text += s));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', reject);
  });
  return { sent, answer };
}

describe('failover of an HA cluster on PostgreSQL', () => {
  it('keeps every acknowledged write across kill -9 of the active node under load, and fails over in under 10 s', async (t) => {
    const active = await cluster.waitForActive();
    const alive = () => cluster.nodes.filter((n) => n !== active || active.server.child.exitCode === null && active.server.child.signalCode === null).map((n) => n.address);
    const load = startWriteLoad(alive, cluster.rootToken, 6);
    await sleep(1500);
    const before = load.acked.size;
    assert.ok(before > 0, 'writes were acknowledged before the kill');
    const killedAt = Date.now();
    await active.server.kill('SIGKILL');
    // Answers the dead node sent before dying may still be read after the kill: count from its exit.
    const deadAt = Date.now() + 20;
    const deadline = killedAt + 30_000;
    while (load.firstAckAfter(deadAt) === undefined && Date.now() < deadline) await sleep(50);
    const firstAck = load.firstAckAfter(deadAt);
    await sleep(1000);
    await load.stop();
    assert.ok(firstAck !== undefined, 'writes were acknowledged again after the kill');
    const failoverMs = firstAck - killedAt;
    t.diagnostic(`kill -9 → first acknowledged write: ${failoverMs} ms; ${load.acked.size} writes acknowledged (${before} before the kill), ${load.failures} refused or failed`);
    assert.ok(failoverMs < FAILOVER_TARGET_MS, `failover took ${failoverMs} ms`);

    const next = await waitForTakeover(active);
    const wrong = await missingWrites(next.address, cluster.rootToken, load.acked);
    assert.deepEqual(wrong, [], 'every acknowledged write is readable through the new active node');

    // The killed node comes back as a standby and serves through the new active.
    const back = await cluster.restart(cluster.nodes.indexOf(active));
    await sleep(1500);
    assert.equal((await back.call('GET', 'sys/leader', undefined, { headers: {} })).json.is_self, false);
    assert.equal(await cluster.waitForActive(), next);
    const [key, value] = [...load.acked][0]!;
    const read = await back.call('GET', `kv/data/${key}`);
    assert.equal(read.json?.data?.data?.value, value, read.text);
  });

  it('lands no write of an active node cut off from PostgreSQL after another node took over', async () => {
    const old = await cluster.waitForActive();
    await cluster.pg.query(`ALTER ROLE ${old.role} NOLOGIN`);
    try {
      await cluster.pg.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [old.role]);
      const next = await waitForTakeover(old);
      // The old node knows it is no longer active, even though it cannot ask the database.
      const leader = await old.call('GET', 'sys/leader', undefined, { headers: {} });
      assert.equal(leader.json.is_self, false, leader.text);

      const fresh = await next.call('POST', 'kv/data/partitioned', { data: { value: 'new' } });
      assert.equal(fresh.status, 200, fresh.text);
      const stale = await old.call('POST', 'kv/data/partitioned', { data: { value: 'old' } });
      assert.ok(stale.status >= 500, `the cut-off node refused the write: ${stale.status} ${stale.text}`);
      assert.ok(!stale.text.includes(cluster.pg.password), 'no connection secret in the answer');
    } finally {
      await cluster.pg.query(`ALTER ROLE ${old.role} LOGIN`);
    }
    // Reconnected, the old node is a standby: it forwards, and the value is the new one everywhere.
    await sleep(2500);
    for (const node of cluster.nodes) {
      const read = await node.call('GET', 'kv/data/partitioned');
      assert.equal(read.status, 200, `${node.name}: ${read.text}`);
      assert.equal(read.json.data.data.value, 'new', node.name);
      assert.equal(read.json.data.metadata.version, 1, `${node.name}: only the new active node's write is there`);
    }
    assert.equal((await old.call('GET', 'sys/leader', undefined, { headers: {} })).json.is_self, false);
    const via = await old.call('POST', 'kv/data/partitioned', { data: { value: 'via-old-standby' } });
    assert.equal(via.status, 200, via.text);
  });

  it('refuses a write a paused (SIGSTOP) active node reads after another node took over', async () => {
    const old = await cluster.waitForActive();
    process.kill(old.server.pid, 'SIGSTOP');
    let resumed = false;
    let lateStatus = 0;
    try {
      const next = await waitForTakeover(old);
      const fresh = await next.call('POST', 'kv/data/paused', { data: { value: 'new' } });
      assert.equal(fresh.status, 200, fresh.text);
      // Sent while the process is stopped: the kernel queues it; the node reads it on SIGCONT.
      const late = rawWrite(old.address, 'kv/data/paused', cluster.rootToken, { data: { value: 'old' } });
      await late.sent;
      process.kill(old.server.pid, 'SIGCONT');
      resumed = true;
      lateStatus = await late.answer;
    } finally {
      if (!resumed) process.kill(old.server.pid, 'SIGCONT');
    }
    // Either the resumed node refused the write it read while it still thought itself active
    // (503), or its lock timer ran first and it forwarded the write, as a standby, to the new
    // active node, which wrote it after its own (200, version 2). Never the old node writing
    // it itself: its write would have overwritten without the new active knowing.
    assert.ok(lateStatus === 503 || lateStatus === 200, `status ${lateStatus}`);
    await sleep(1500);
    for (const node of cluster.nodes) {
      const read = await node.call('GET', 'kv/data/paused');
      assert.equal(read.status, 200, `${node.name}: ${read.text}`);
      if (lateStatus === 503) {
        assert.equal(read.json.data.data.value, 'new', node.name);
        assert.equal(read.json.data.metadata.version, 1);
      } else {
        assert.equal(read.json.data.data.value, 'old', node.name);
        assert.equal(read.json.data.metadata.version, 2, 'the forwarded write came after the new active node\'s own');
        const first = await node.call('GET', 'kv/data/paused?version=1');
        assert.equal(first.json.data.data.value, 'new');
      }
    }
    assert.equal((await old.call('GET', 'sys/leader', undefined, { headers: {} })).json.is_self, false, 'the resumed node is a standby');
  });
});
