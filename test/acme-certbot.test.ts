/**
 * The real certbot (Debian's, 2.1) against a Coffer pki mount: certonly --standalone answers
 * http-01 on port 80, the certificate verifies with openssl against the mount's CA, and
 * certbot revoke puts its serial on the CRL. Everything certbot keeps lives in a temp folder.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { openssl } from './helpers/pki.js';
import { runTool, startAcmeMount, type AcmeToolsTest } from './helpers/acme-tools.js';
import { withPortLock } from './helpers/port-lock.js';

describe('certbot against the pki ACME directory', () => {
  let x: AcmeToolsTest;
  before(async () => {
    x = await startAcmeMount();
  });
  after(() => x.close());

  const name = 'www.coffer.test';
  const dirs = () => ['--config-dir', join(x.dir, 'certbot', 'config'), '--work-dir', join(x.dir, 'certbot', 'work'), '--logs-dir', join(x.dir, 'certbot', 'logs')];
  const live = (file: string) => join(x.dir, 'certbot', 'config', 'live', name, file);

  it('gets a certificate with certonly --standalone that openssl verifies against the mount CA', async () => {
    const r = await withPortLock(80, () =>
      runTool('certbot', [
        'certonly', '--standalone', '--server', x.directory, '-d', name, '--email', 'ops@coffer.test',
        '--agree-tos', '--no-eff-email', '--non-interactive', '--http-01-port', '80', ...dirs(),
      ]),
    );
    assert.equal(r.code, 0, r.out);
    const v = openssl(['verify', '-CAfile', x.caFile, '-untrusted', live('chain.pem'), live('cert.pem')]);
    assert.equal(v.status, 0, v.out);
    assert.match(openssl(['x509', '-in', live('cert.pem'), '-noout', '-ext', 'subjectAltName']).out, /DNS:www\.coffer\.test/);
  });

  it('revokes it with certbot revoke: the serial appears in the CRL', async () => {
    const serial = new x509.X509Certificate(readFileSync(live('cert.pem'), 'utf8')).serialNumber;
    const r = await runTool('certbot', ['revoke', '--server', x.directory, '--cert-path', live('cert.pem'), '--non-interactive', '--no-delete-after-revoke', ...dirs()]);
    assert.equal(r.code, 0, r.out);
    const crl = x.file('certbot-crl.pem', await x.fetchRaw('crl/pem'));
    assert.match(openssl(['crl', '-in', crl, '-noout', '-text']).out, new RegExp(`Serial Number: ${serial.toUpperCase()}`));
    const v = openssl(['verify', '-crl_check', '-CRLfile', crl, '-CAfile', x.caFile, live('cert.pem')]);
    assert.match(v.out, /certificate revoked/);
  });
});

describe('certbot against an https ACME directory', () => {
  let x: AcmeToolsTest;
  before(async () => {
    x = await startAcmeMount('https');
  });
  after(() => x.close());

  it('gets a certificate, trusting the listener through REQUESTS_CA_BUNDLE', async () => {
    assert.match(x.directory, /^https:/);
    const config = join(x.dir, 'certbot', 'config');
    const r = await withPortLock(80, () =>
      runTool(
        'certbot',
        ['certonly', '--standalone', '--server', x.directory, '-d', 'secure.coffer.test', '--register-unsafely-without-email', '--agree-tos', '--non-interactive',
          '--http-01-port', '80', '--config-dir', config, '--work-dir', join(x.dir, 'certbot', 'work'), '--logs-dir', join(x.dir, 'certbot', 'logs')],
        x.trust,
      ),
    );
    assert.equal(r.code, 0, r.out);
    const live = join(config, 'live', 'secure.coffer.test');
    const v = openssl(['verify', '-CAfile', x.caFile, '-untrusted', join(live, 'chain.pem'), join(live, 'cert.pem')]);
    assert.equal(v.status, 0, v.out);
  });
});
