/**
 * The real lego (Debian's, 4.9) against a Coffer pki mount: an account, an http-01 order for
 * a name under coffer.test (resolved through dnsmasq by the validator), renewal, revocation.
 * Every certificate it gets must verify with openssl against the mount's CA.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { openssl } from './helpers/pki.js';
import { runTool, startAcmeMount, type AcmeToolsTest } from './helpers/acme-tools.js';
import { withPortLock } from './helpers/port-lock.js';

describe('lego against the pki ACME directory', () => {
  let x: AcmeToolsTest;
  before(async () => {
    x = await startAcmeMount();
  });
  after(() => x.close());

  const name = 'app.coffer.test';
  const lego = (dir: string, ...command: string[]) =>
    withPortLock(80, () =>
      runTool('lego', ['--server', dir, '--email', 'ops@coffer.test', '--domains', name, '--http', '--http.port', ':80', '--accept-tos', '--path', join(x.dir, 'lego'), ...command], x.trust),
    );
  const certFile = () => join(x.dir, 'lego', 'certificates', `${name}.crt`);
  const leaf = () => new x509.X509Certificate(readFileSync(certFile(), 'utf8').split(/(?<=-----END CERTIFICATE-----)/)[0]!);

  it('gets a certificate with http-01 (run) that openssl verifies against the mount CA', async () => {
    const r = await lego(x.directory, 'run');
    assert.equal(r.code, 0, r.out);
    assert.ok(existsSync(certFile()), r.out);
    const v = openssl(['verify', '-CAfile', x.caFile, certFile()]);
    assert.equal(v.status, 0, v.out);
    assert.match(openssl(['x509', '-in', certFile(), '-noout', '-ext', 'subjectAltName']).out, /DNS:app\.coffer\.test/);
  });

  it('renews it: a new serial, still verified', async () => {
    const before = leaf().serialNumber;
    // --days above the lifetime left forces the renewal now.
    const r = await lego(x.directory, 'renew', '--days', '3650', '--no-random-sleep');
    assert.equal(r.code, 0, r.out);
    assert.notEqual(leaf().serialNumber, before);
    const v = openssl(['verify', '-CAfile', x.caFile, certFile()]);
    assert.equal(v.status, 0, v.out);
  });

  it('revokes it: the serial appears in the CRL', async () => {
    const serial = leaf().serialNumber;
    // lego moves a revoked certificate to its archive: keep a copy to verify.
    const kept = x.file('lego-revoked.pem', readFileSync(certFile()));
    const r = await lego(x.directory, 'revoke');
    assert.equal(r.code, 0, r.out);
    const crl = await x.fetchRaw('crl/pem');
    const listed = openssl(['crl', '-in', x.file('lego-crl.pem', crl), '-noout', '-text']).out;
    assert.match(listed, new RegExp(`Serial Number: ${serial.toUpperCase()}`));
    const v = openssl(['verify', '-crl_check', '-CRLfile', x.file('lego-crl2.pem', crl), '-CAfile', x.caFile, kept]);
    assert.notEqual(v.status, 0);
    assert.match(v.out, /certificate revoked/);
  });

  it('gets a wildcard certificate with dns-01, publishing TXT records through its exec provider', async () => {
    const path = join(x.dir, 'lego-dns');
    const r = await runTool(
      'lego',
      ['--server', x.directory, '--email', 'ops@coffer.test', '--domains', '*.coffer.test', '--domains', 'coffer.test', ...x.dns.lego.args, '--accept-tos', '--path', path, 'run'],
      x.dns.lego.env,
    );
    assert.equal(r.code, 0, r.out);
    const file = join(path, 'certificates', '_.coffer.test.crt');
    const v = openssl(['verify', '-CAfile', x.caFile, file]);
    assert.equal(v.status, 0, v.out);
    const sans = openssl(['x509', '-in', file, '-noout', '-ext', 'subjectAltName']).out;
    assert.match(sans, /DNS:\*\.coffer\.test/);
    assert.match(sans, /DNS:coffer\.test/);
  });

  it('gets a certificate with tls-alpn-01 on port 443', async () => {
    const path = join(x.dir, 'lego-tls');
    const r = await withPortLock(443, () =>
      runTool('lego', ['--server', x.directory, '--email', 'ops@coffer.test', '--domains', 'tls.coffer.test', '--tls', '--tls.port', ':443', '--accept-tos', '--path', path, 'run']),
    );
    assert.equal(r.code, 0, r.out);
    const v = openssl(['verify', '-CAfile', x.caFile, join(path, 'certificates', 'tls.coffer.test.crt')]);
    assert.equal(v.status, 0, v.out);
  });

  it('registers with external account binding (--eab --kid --hmac) when the mount requires it', async () => {
    await x.write('config/acme', { enabled: true, dns_resolver: x.dns.resolver, eab_policy: 'new-account-required' });
    try {
      const path = join(x.dir, 'lego-eab');
      const args = ['--server', x.directory, '--email', 'eab@coffer.test', '--domains', 'eab.coffer.test', '--http', '--http.port', ':80', '--accept-tos', '--path', path];
      const refused = await runTool('lego', [...args, 'run'], x.trust);
      assert.notEqual(refused.code, 0);
      assert.match(refused.out, /externalAccountRequired|external account/i);
      const eab = await x.write('acme/new-eab');
      const r = await withPortLock(80, () => runTool('lego', [...args, '--eab', '--kid', eab.id, '--hmac', eab.key, 'run'], x.trust));
      assert.equal(r.code, 0, r.out);
      assert.equal(openssl(['verify', '-CAfile', x.caFile, join(path, 'certificates', 'eab.coffer.test.crt')]).status, 0);
    } finally {
      await x.write('config/acme', { enabled: true, dns_resolver: x.dns.resolver, eab_policy: 'not-required' });
    }
  });
});

describe('lego against an https ACME directory', () => {
  let x: AcmeToolsTest;
  before(async () => {
    x = await startAcmeMount('https');
  });
  after(() => x.close());

  it('gets a certificate, trusting the listener through LEGO_CA_CERTIFICATES', async () => {
    assert.match(x.directory, /^https:/);
    const path = join(x.dir, 'lego');
    const r = await withPortLock(80, () =>
      runTool('lego', ['--server', x.directory, '--email', 'ops@coffer.test', '--domains', 'secure.coffer.test', '--http', '--http.port', ':80', '--accept-tos', '--path', path, 'run'], x.trust),
    );
    assert.equal(r.code, 0, r.out);
    const v = openssl(['verify', '-CAfile', x.caFile, join(path, 'certificates', 'secure.coffer.test.crt')]);
    assert.equal(v.status, 0, v.out);
  });
});
