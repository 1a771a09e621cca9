/**
 * Three `coffer server` processes on one PostgreSQL with ha_enabled: one is active, the
 * others are standbys that forward every request to it (the client sees one answer, audit
 * on the active node records the client's own address), answer the status paths
 * themselves, and redirect (307) to the active node's api_addr when forwarding fails.
 * sys/leader, sys/ha-status, sys/health, sys/step-down and `coffer status` as in Vault.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startHaCluster, requestFrom, type HaCluster, type HaNode } from './helpers/ha-cluster.js';
import { freePort, runCli } from './helpers/process-server.js';
import { mustRefuse, mustSubscribe } from './helpers/events.js';
import type { TestServer } from './helpers/dev-server.js';

let cluster: HaCluster;
/** node3 advertises an api_addr where nothing listens: forwarding to it fails. */
let deadApiAddr = '';

before(async () => {
  deadApiAddr = `http://127.0.0.1:${await freePort()}`;
  cluster = await startHaCluster(3, { apiAddr: (i, address) => (i === 2 ? deadApiAddr : address) });
});

after(async () => {
  await cluster?.stop();
});

const standbysOf = (active: HaNode) => cluster.nodes.filter((n) => n !== active);

/** Steps the active node down until `want` is active (the others compete too). */
async function makeActive(want: HaNode): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const active = await cluster.waitForActive();
    if (active === want) return;
    const res = await active.call('PUT', 'sys/step-down');
    assert.equal(res.status, 204, res.text);
    await sleep(500);
  }
  throw new Error(`${want.name} did not become active`);
}

describe('an HA cluster of three nodes on PostgreSQL', () => {
  it('elects exactly one active node; the others report themselves standbys', async () => {
    const active = await cluster.waitForActive();
    for (const node of cluster.nodes) {
      const leader = await node.call('GET', 'sys/leader', undefined, { headers: {} });
      assert.equal(leader.status, 200, leader.text);
      assert.equal(leader.json.ha_enabled, true);
      assert.equal(leader.json.is_self, node === active, `${node.name}: ${leader.text}`);
      assert.equal(leader.json.leader_address, active.address);
      assert.equal(leader.json.leader_cluster_address, `https://127.0.0.1:${Number(new URL(active.address).port) + 1}`);
      assert.equal(leader.json.performance_standby, false);
      if (node === active) assert.ok(Date.parse(leader.json.active_time) > Date.now() - 120_000, leader.text);
      else assert.equal(leader.json.active_time, '0001-01-01T00:00:00Z');
      const seal = await node.call('GET', 'sys/seal-status', undefined, { headers: {} });
      assert.equal(seal.json.sealed, false, `${node.name} is unsealed, standby or not`);
    }
  });

  it('serves writes and reads sent to a standby through the active node, and audit records the client address', async () => {
    const active = await cluster.waitForActive();
    const standby = standbysOf(active).find((n) => n.name !== 'node3')!;
    assert.equal((await standby.call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status, 204);
    const write = await requestFrom('127.0.0.7', `${standby.address}/v1/kv/data/forwarded`, 'POST', cluster.rootToken, { data: { v: 'through-standby' } });
    assert.equal(write.status, 200, write.text);
    assert.equal(write.json.data.version, 1);
    // Read back through the other standby and the active: one store.
    for (const node of cluster.nodes) {
      const read = await node.call('GET', 'kv/data/forwarded');
      assert.equal(read.status, 200, `${node.name}: ${read.text}`);
      assert.equal(read.json.data.data.v, 'through-standby');
    }
    // A 404 and a 403 come back as the active node gave them.
    assert.equal((await standby.call('GET', 'kv/data/missing')).status, 404);
    const denied = await standby.call('GET', 'kv/data/forwarded', undefined, { headers: { 'X-Vault-Token': 'not-a-token' } });
    assert.equal(denied.status, 403, denied.text);
    const lines = readFileSync(cluster.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; request?: { path?: string; remote_address?: string; operation?: string } });
    const entries = lines.filter((l) => l.request?.path === 'kv/data/forwarded' && l.request.operation !== 'read');
    assert.ok(entries.length >= 2, 'request and response entries of the forwarded write');
    for (const e of entries) assert.equal(e.request!.remote_address, '127.0.0.7', JSON.stringify(e));
  });

  it('does not believe a client that sends the forwarding headers itself', async () => {
    const active = await cluster.waitForActive();
    const res = await active.call('POST', 'kv/data/forged', { data: { v: 1 } }, {
      headers: { 'X-Vault-Token': cluster.rootToken, 'x-coffer-forwarded-for': '10.9.9.9', 'x-coffer-forwarded-sig': `${Date.now()}.AAAA` },
    });
    assert.equal(res.status, 200, res.text);
    const log = readFileSync(cluster.auditFile, 'utf8');
    assert.ok(!log.includes('10.9.9.9'), 'a forged client address reached the audit log');
    assert.match(log, /"path":"kv\/data\/forged"[^\n]*"remote_address":"127\.0\.0\.1"/);
  });

  it('answers sys/health on a standby with 429, or 200 with standbyok, or standbycode; 200 on the active', async () => {
    const active = await cluster.waitForActive();
    const standby = standbysOf(active)[0]!;
    const health = await standby.call('GET', 'sys/health', undefined, { headers: {} });
    assert.equal(health.status, 429, health.text);
    assert.equal(health.json.standby, true);
    assert.equal(health.json.sealed, false);
    assert.equal((await standby.call('GET', 'sys/health?standbyok=true', undefined, { headers: {} })).status, 200);
    assert.equal((await standby.call('GET', 'sys/health?standbycode=472', undefined, { headers: {} })).status, 472);
    assert.equal((await standby.call('GET', 'sys/health?perfstandbyok=true', undefined, { headers: {} })).status, 429);
    const onActive = await active.call('GET', 'sys/health', undefined, { headers: {} });
    assert.equal(onActive.status, 200);
    assert.equal(onActive.json.standby, false);
    assert.equal((await active.call('GET', 'sys/health?activecode=299', undefined, { headers: {} })).status, 299);
  });

  it('refuses an event subscription on a standby with 503; the active node accepts it', async () => {
    const active = await cluster.waitForActive();
    const standby = standbysOf(active)[0]!;
    const asServer = (n: HaNode) => ({ address: n.address }) as TestServer;
    const refused = await mustRefuse(asServer(standby), '*', { token: cluster.rootToken });
    assert.equal(refused.status, 503, refused.body);
    assert.match(refused.body, /standby: subscribe on the active node/);
    const accepted = await mustSubscribe({ ...asServer(active), rootToken: cluster.rootToken } as TestServer, '*');
    accepted.close();
  });

  it('lists every node in sys/ha-status, through any node', async () => {
    const active = await cluster.waitForActive();
    await sleep(1500); // every node has sent a heartbeat since starting
    for (const node of cluster.nodes) {
      const res = await node.call('GET', 'sys/ha-status');
      assert.equal(res.status, 200, res.text);
      const nodes = res.json.data.nodes as { api_address: string; active_node: boolean; last_echo: string | null; hostname: string }[];
      assert.equal(nodes.length, 3, res.text);
      assert.deepEqual(nodes.filter((n) => n.active_node).map((n) => n.api_address), [active.address]);
      for (const n of nodes.filter((x) => !x.active_node)) assert.ok(Date.now() - Date.parse(n.last_echo!) < 10_000, res.text);
      assert.ok(nodes.every((n) => n.hostname), res.text);
      assert.deepEqual(res.json.nodes, res.json.data.nodes);
    }
    const refused = await cluster.nodes[0]!.call('GET', 'sys/ha-status', undefined, { headers: {} });
    assert.equal(refused.status, 403);
  });

  it('shows the HA mode in coffer status', async () => {
    const active = await cluster.waitForActive();
    const standby = standbysOf(active)[0]!;
    const onStandby = await runCli(['status', `-address=${standby.address}`]);
    assert.equal(onStandby.code, 0, onStandby.stderr);
    assert.match(onStandby.stdout, /HA Enabled\s+true/);
    assert.match(onStandby.stdout, /HA Mode\s+standby/);
    assert.match(onStandby.stdout, new RegExp(`Active Node Address\\s+${active.address.replace(/\./g, '\\.')}`));
    const onActive = await runCli(['status', `-address=${active.address}`]);
    assert.match(onActive.stdout, /HA Mode\s+active/);
  });

  it('steps down on sys/step-down (sudo): another node takes over and serves what the first wrote', async () => {
    const first = await cluster.waitForActive();
    const standby = standbysOf(first)[0]!;
    // A token without sudo is refused, through a standby as on the active node.
    await first.call('PUT', 'sys/policy/kv-only', { policy: 'path "sys/step-down" { capabilities = ["update"] }' });
    const weak = await first.call('POST', 'auth/token/create', { policies: ['kv-only'] });
    const denied = await standby.call('PUT', 'sys/step-down', undefined, { headers: { 'X-Vault-Token': weak.json.auth.client_token } });
    assert.equal(denied.status, 403, denied.text);
    assert.equal((await cluster.waitForActive()), first);

    // The active node rotates the barrier key and writes with the new term: the next active must read it.
    assert.equal((await first.call('PUT', 'sys/rotate')).status, 204);
    const rotated = await first.call('POST', 'kv/data/after-rotate', { data: { v: 'new-term' } });
    assert.equal(rotated.status, 200, rotated.text);

    // `coffer operator step-down` sent to a standby reaches the active node.
    const res = await runCli(['operator', 'step-down', `-address=${standby.address}`], 10_000, { VAULT_TOKEN: cluster.rootToken });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Stepped down/);
    const deadline = Date.now() + 15_000;
    let next = first;
    while (next === first && Date.now() < deadline) {
      await sleep(200);
      next = await cluster.waitForActive();
    }
    assert.notEqual(next, first, 'another node took over');
    assert.equal((await first.call('GET', 'sys/leader', undefined, { headers: {} })).json.is_self, false);
    const read = await next.call('GET', 'kv/data/forwarded');
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.data.data.v, 'through-standby');
    const afterRotate = await next.call('GET', 'kv/data/after-rotate');
    assert.equal(afterRotate.status, 200, afterRotate.text);
    assert.equal(afterRotate.json.data.data.v, 'new-term');
    assert.equal((await next.call('GET', 'sys/key-status')).json.data.term, 2);
  });

  it('restores expiration on the new active node: a token that expires after a takeover is revoked there', async () => {
    const first = await cluster.waitForActive();
    const created = await first.call('POST', 'auth/token/create', { ttl: '4s', policies: ['default'] });
    assert.equal(created.status, 200, created.text);
    const accessor = created.json.auth.accessor as string;
    const listed = async (node: HaNode) => ((await node.call('LIST', 'auth/token/accessors')).json.data.keys as string[]).includes(accessor);
    assert.equal(await listed(first), true);
    assert.equal((await first.call('PUT', 'sys/step-down')).status, 204);
    const deadline = Date.now() + 15_000;
    let next = first;
    while (next === first && Date.now() < deadline) next = await cluster.waitForActive(cluster.nodes.filter((n) => n !== first));
    await sleep(5000);
    // Only a revocation removes the accessor: an expired token that nobody revoked is still listed.
    assert.equal(await listed(next), false, 'the new active node revoked the token when it expired');
  });

  it('refuses sys/seal on a standby, as Vault does, and the active node stays unsealed', async () => {
    const active = await cluster.waitForActive();
    const standby = standbysOf(active).find((n) => n.name !== 'node3')!;
    const res = await standby.call('PUT', 'sys/seal');
    assert.equal(res.status, 500, res.text);
    assert.match(res.text, /cannot seal when in standby mode/);
    assert.equal((await active.call('GET', 'sys/seal-status', undefined, { headers: {} })).json.sealed, false);
    assert.equal((await standby.call('GET', 'sys/seal-status', undefined, { headers: {} })).json.sealed, false);
    assert.equal(await cluster.waitForActive(), active);
  });

  it('hands over to another node when the active node is sealed; unsealed again, it is a standby', async () => {
    const sealed = await cluster.waitForActive();
    const res = await sealed.call('PUT', 'sys/seal');
    assert.equal(res.status, 204, res.text);
    assert.equal((await sealed.call('GET', 'sys/seal-status', undefined, { headers: {} })).json.sealed, true);
    const deadline = Date.now() + 15_000;
    let next = sealed;
    while (next === sealed && Date.now() < deadline) next = await cluster.waitForActive(cluster.nodes.filter((n) => n !== sealed));
    await cluster.unseal(sealed);
    await sleep(1500);
    assert.equal((await sealed.call('GET', 'sys/leader', undefined, { headers: {} })).json.is_self, false);
    assert.equal(await cluster.waitForActive(), next);
  });

  it('redirects with 307 to the active node when it cannot forward there', async () => {
    const bad = cluster.nodes[2]!;
    await makeActive(bad);
    const standby = cluster.nodes[0]!;
    const res = await standby.call('GET', 'kv/data/forwarded');
    assert.equal(res.status, 307, res.text);
    assert.equal(res.headers.location, `${deadApiAddr}/v1/kv/data/forwarded`);
    // The node itself serves, and the status paths still answer on the standby.
    const direct = await bad.call('GET', 'kv/data/forwarded');
    assert.equal(direct.status, 200, direct.text);
    assert.equal((await standby.call('GET', 'sys/leader', undefined, { headers: {} })).json.leader_address, deadApiAddr);
  });

  it('answers 502, not a 307, when the active node took the forwarded request but did not answer', async () => {
    const bad = cluster.nodes[2]!;
    await makeActive(bad);
    // Something listens at node3's advertised api_addr now: it takes the request and hangs up.
    const taker = createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => taker.listen(Number(new URL(deadApiAddr).port), '127.0.0.1', resolve));
    try {
      const res = await cluster.nodes[0]!.call('POST', 'kv/data/once', { data: { v: 1 } });
      assert.equal(res.status, 502, res.text);
      assert.match(res.text, /may have been carried out/);
      assert.equal(res.headers.location, undefined);
    } finally {
      await new Promise((resolve) => taker.close(resolve));
    }
  });
});
