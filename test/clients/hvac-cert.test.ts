import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CertFactory } from '../helpers/client-certs.js';
import { listenerCertificate, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

describe('hvac auth.cert against a real TLS listener', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, 'https');
  });
  after(() => t.close());

  it('creates, reads, lists and deletes trusted certificates and logs in with a client certificate', async () => {
    const certs = new CertFactory();
    const ca = certs.root('ca');
    const leaf = certs.issue('py', ca, { cn: 'py.example.com' });
    const stranger = certs.issue('stranger', certs.root('other'), { cn: 'py.example.com' });
    const args = [t.address, t.rootToken, listenerCertificate('https')!.certFile, ca.certFile, leaf.certFile, leaf.keyFile, stranger.certFile, stranger.keyFile];
    const { code, out } = await runHvacScript('hvac_cert.py', args);
    assert.equal(code, 0, out);
    assert.match(out, /ok hvac cert/);
  });
});
