/**
 * The listener's client-certificate settings (Vault's tls_client_ca_file,
 * tls_require_and_verify_client_cert, tls_disable_client_certs): parsed from a configuration
 * file, and what a TLS client meets with each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionError } from '../../src/api/transport.js';
import { parseConfigText } from '../../src/server/config-file.js';
import { CertFactory, type Pair } from '../helpers/client-certs.js';
import { startCertServer, type CertServer } from './cert-helpers.js';
import { expectError, expectStatus, login } from './helpers.js';

const file = (listener: string) => `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_cert_file = "/c"\n  tls_key_file = "/k"\n${listener}}\n`;

describe('listener client-certificate settings', () => {
  let certs: CertFactory;
  let ca: Pair;
  let other: Pair;
  let alice: Pair;
  let stranger: Pair;
  before(() => {
    certs = new CertFactory();
    ca = certs.root('ca');
    other = certs.root('other');
    alice = certs.issue('alice', ca, { cn: 'alice' });
    stranger = certs.issue('stranger', other, { cn: 'stranger' });
  });

  it('reads them from a configuration file and refuses a contradiction', () => {
    const l = parseConfigText(file('  tls_client_ca_file = "/ca.pem"\n  tls_require_and_verify_client_cert = true\n'), 'c.hcl', {}).listeners[0]!;
    assert.equal(l.tlsClientCaFile, '/ca.pem');
    assert.equal(l.tlsRequireAndVerifyClientCert, true);
    assert.equal(parseConfigText(file('  tls_disable_client_certs = true\n'), 'c.hcl', {}).listeners[0]!.tlsDisableClientCerts, true);
    assert.throws(
      () => parseConfigText(file('  tls_disable_client_certs = true\n  tls_require_and_verify_client_cert = true\n'), 'c.hcl', {}),
      /tls_require_and_verify_client_cert and tls_disable_client_certs cannot both be set/,
    );
  });

  describe('tls_require_and_verify_client_cert with tls_client_ca_file', () => {
    let t: CertServer;
    before(async () => {
      t = await startCertServer({ tlsRequireAndVerifyClientCert: true, tlsClientCaFile: ca.certFile }, alice);
    });
    after(() => t.close());

    it('refuses the handshake without a certificate from that CA, and serves one that has it', async () => {
      await assert.rejects(t.as(undefined, t.rootToken).read('sys/mounts'), ConnectionError);
      await assert.rejects(t.as(stranger, t.rootToken).read('sys/mounts'), ConnectionError);
      assert.ok(await t.as(alice, t.rootToken).read('sys/mounts'));
      await expectStatus(t.as(alice, t.rootToken).raw('POST', 'auth/cert/certs/web', { certificate: ca.cert }), 204);
      assert.equal((await login(t.as(alice), 'auth/cert/login', {})).metadata!.common_name, 'alice');
      // LIST (rewritten through the listener's parser) still sees the TLS connection.
      assert.deepEqual((await t.as(alice, t.rootToken).list('auth/cert/certs'))!.data!.keys, ['web']);
    });
  });

  describe('tls_disable_client_certs', () => {
    let t: CertServer;
    before(async () => {
      t = await startCertServer({ tlsDisableClientCerts: true });
    });
    after(() => t.close());

    it('never asks for a certificate, so a cert login has none', async () => {
      await expectStatus(t.root.raw('POST', 'auth/cert/certs/web', { certificate: ca.cert }), 204);
      await expectError(t.as(alice).raw('POST', 'auth/cert/login', {}), 400, /^client certificate must be supplied$/);
    });
  });
});
