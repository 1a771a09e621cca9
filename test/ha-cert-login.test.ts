/**
 * Cert logins through a standby of an HA cluster on TLS listeners: the standby passes the
 * client's certificates on to the active node, signed with the rest of the forwarded
 * request, so a client logs in with its certificate whichever node it reaches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiClient } from '../src/api/client.js';
import { CertFactory, type Pair } from './helpers/client-certs.js';
import { listenerCertificate } from './helpers/dev-server.js';
import { startHaCluster, type HaCluster, type HaNode } from './helpers/ha-cluster.js';

const tls = listenerCertificate('https')!;
let cluster: HaCluster;
let alice: Pair;

before(async () => {
  cluster = await startHaCluster(2, { tls, audit: false });
  const certs = new CertFactory();
  const ca = certs.root('ha-ca');
  alice = certs.issue('ha-alice', ca, { cn: 'alice.example.com' });
  const active = await cluster.waitForActive();
  assert.equal((await active.call('POST', 'sys/auth/cert', { type: 'cert' })).status, 204);
  const role = await active.call('POST', 'auth/cert/certs/web', { certificate: ca.cert, token_policies: 'default' });
  assert.equal(role.status, 204, role.text);
});

after(async () => {
  await cluster?.stop();
});

const as = (node: HaNode, pair?: Pair) => createApiClient({ address: node.address, tls: { ca: tls.cert, ...(pair ? { cert: pair.cert, key: pair.key } : {}) } });

describe('cert logins in an HA cluster', () => {
  it('logs in with a client certificate sent to a standby, as on the active node', async () => {
    const active = await cluster.waitForActive();
    const standby = cluster.nodes.find((n) => n !== active)!;
    for (const node of [active, standby]) {
      const res = await as(node, alice).raw<{ auth?: { client_token: string; metadata: Record<string, string> } }>('POST', 'auth/cert/login', {});
      assert.equal(res.status, 200, `${node.name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body?.auth?.metadata.cert_name, 'web');
    }
    // No certificate through the standby: still refused.
    const none = await as(standby).raw('POST', 'auth/cert/login', {});
    assert.equal(none.status, 400, JSON.stringify(none.body));
  });
});
