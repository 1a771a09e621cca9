/**
 * `coffer agent` with the `cert` auto-auth method, as a process against a TLS listener that
 * asks for client certificates: it logs in with the method's certificate, writes the token
 * to its sink, and keeps renewing it, which the cert method allows only to a request
 * presenting the certificate that logged in (so renewals must go out with it too).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCertServer, type CertServer } from './auth/cert-helpers.js';
import { CertFactory, type Pair } from './helpers/client-certs.js';
import { readIfThere, sleep, startAgentWith, stopAllAgents, tempDir, waitFor } from './helpers/agent.js';

describe('coffer agent: cert auto-auth', () => {
  let t: CertServer;
  let alice: Pair;
  before(async () => {
    t = await startCertServer();
    const certs = new CertFactory();
    const ca = certs.root('agent-ca');
    alice = certs.issue('agent-alice', ca, { cn: 'alice.example.com' });
    await t.root.write('auth/cert/certs/web', { certificate: ca.cert, token_policies: 'default', token_ttl: '4s', token_max_ttl: '1h' });
    await t.root.write('auth/cert/certs/other', { certificate: ca.cert, token_policies: 'default', token_ttl: '4s' });
  });
  after(async () => {
    await stopAllAgents();
    await t.close();
  });

  it('logs in with the method\'s client certificate and the role it names, and keeps the token renewed past its TTL', async () => {
    const dir = tempDir();
    const sink = join(dir, 'token');
    const agent = startAgentWith(dir, `
vault {
  address = "${t.address}"
  ca_cert = "${t.tls!.certFile}"
}
auto_auth {
  method "cert" {
    config = {
      name        = "web"
      client_cert = "${alice.certFile}"
      client_key  = "${alice.keyFile}"
    }
  }
  sink "file" { config = { path = "${sink}" } }
}
`);
    const token = (await waitFor('the sink', () => readIfThere(sink), 15_000, agent)).trim();
    const self = await t.as(undefined, token).read('auth/token/lookup-self');
    assert.equal((self!.data as { meta: Record<string, string> }).meta.cert_name, 'web');
    await sleep(6_000); // past the 4 s TTL: alive only if the agent renewed it with alice's certificate
    assert.equal(readIfThere(sink)!.trim(), token, 'the same token, renewed rather than replaced');
    const later = await t.as(undefined, token).read('auth/token/lookup-self');
    assert.ok((later!.data as { ttl: number }).ttl > 0);
    assert.doesNotMatch(agent.stderr(), /renewal failed/);
    assert.doesNotMatch(agent.stderr(), new RegExp(token));
    await agent.kill('SIGTERM');
  });

  it('refuses to start without a client certificate, naming what is missing', async () => {
    const dir = tempDir();
    const agent = startAgentWith(dir, `
vault {
  address = "${t.address}"
  ca_cert = "${t.tls!.certFile}"
}
auto_auth {
  method "cert" { config = { name = "web" } }
}
`);
    assert.equal((await agent.exited).code, 1);
    assert.match(agent.stderr(), /cert auto_auth method needs a client certificate/);
  });
});
