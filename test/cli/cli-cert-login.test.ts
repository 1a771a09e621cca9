/** `coffer login -method=cert` over TLS with a client certificate from flags or the Vault environment names. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCertServer, type CertServer } from '../auth/cert-helpers.js';
import { CertFactory, type Pair } from '../helpers/client-certs.js';
import { runCli, show, tempDir } from './run-cli.js';

describe('coffer login -method=cert', () => {
  let t: CertServer;
  let alice: Pair;
  before(async () => {
    t = await startCertServer();
    const certs = new CertFactory();
    const ca = certs.root('ca');
    alice = certs.issue('alice', ca, { cn: 'alice.example.com' });
    await t.root.write('auth/cert/certs/web', { certificate: ca.cert, token_policies: 'default' });
    await t.root.write('auth/cert/certs/ops', { certificate: ca.cert, token_policies: 'default', display_name: 'operators' });
  });
  after(() => t.close());

  it('logs in with -client-cert/-client-key and -ca-cert, name= picking the entry, and stores the token', async () => {
    const home = tempDir();
    const r = await runCli(
      ['login', '-method=cert', `-client-cert=${alice.certFile}`, `-client-key=${alice.keyFile}`, `-ca-cert=${t.tls!.certFile}`, 'name=ops'],
      { env: { COFFER_ADDR: t.address, HOME: home } },
    );
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Success! You are now authenticated\./);
    assert.match(r.stdout, /token_meta_cert_name\s+ops/);
    assert.match(r.stdout, /token_meta_common_name\s+alice\.example\.com/);
    assert.match(readFileSync(join(home, '.coffer-token'), 'utf8'), /^hvs\./);
  });

  it('takes VAULT_CLIENT_CERT, VAULT_CLIENT_KEY and VAULT_CACERT, and says what is missing', async () => {
    const env = { VAULT_ADDR: t.address, HOME: tempDir(), VAULT_CACERT: t.tls!.certFile };
    const r = await runCli(['login', '-method=cert', '-token-only'], { env: { ...env, VAULT_CLIENT_CERT: alice.certFile, VAULT_CLIENT_KEY: alice.keyFile } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout.trim(), /^hvs\./);
    const half = await runCli(['login', '-method=cert'], { env: { ...env, VAULT_CLIENT_CERT: alice.certFile } });
    assert.notEqual(half.code, 0);
    assert.match(half.stderr, /-client-cert and -client-key .* must be given together/);
    const none = await runCli(['login', '-method=cert'], { env });
    assert.equal(none.code, 1, show(none));
    assert.match(none.stderr, /client certificate must be supplied/);
  });
});
