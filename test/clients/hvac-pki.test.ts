import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { openssl } from '../helpers/pki.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac secrets.pki against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('runs the pki methods hvac has for what exists, from generate_root to rotate_crl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-hvac-pki-'));
    const csr = join(dir, 'req.csr');
    const made = openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=svc.example.com', '-keyout', join(dir, 'req.key'), '-out', csr]);
    assert.equal(made.status, 0, made.out);
    assert.ok(readFileSync(csr, 'utf8').includes('CERTIFICATE REQUEST'));
    const { code, out } = await runHvacScript('hvac_pki.py', [t.address, t.rootToken, csr], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok list_certificates, read_certificate, revoke_certificate, read_crl, rotate_crl/);
    assert.match(out, /ok create_or_update_role and read_role with every role field/);
    assert.match(out, /ok generate_certificate with a lease in der, revoke_lease revokes it/);
    assert.match(out, /ok sign_certificate as pem_bundle without roots/);
  });
});
