import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { devConfig } from '../../src/server/server-config.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1, made with the openssl binary (a test prerequisite). */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { cert, key };
}

describe('coffer over HTTPS with a private CA', () => {
  let t: TestServer | undefined;
  let pem: { cert: string; key: string } | undefined;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    const dir = tempDir();
    pem = await selfSigned(dir);
    t = await startDevServer({
      listeners: [{ ...devConfig().listeners[0]!, address: '127.0.0.1:0', tlsDisable: false, tlsCertFile: pem.cert, tlsKeyFile: pem.key }],
    });
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: dir });
  });
  after(() => t?.close());

  it('verifies the server with VAULT_CACERT, COFFER_CACERT or -ca-cert, and fails without', async () => {
    assert.ok(pem && t);
    assert.match(t.address, /^https:/);
    const [vaultEnv, cofferEnv, flag, none] = await Promise.all([
      cli(['status'], { env: { VAULT_CACERT: pem.cert } }),
      cli(['kv', 'put', 'secret/tls', 'a=b'], { env: { COFFER_CACERT: pem.cert } }),
      cli(['status', `-ca-cert=${pem.cert}`]),
      cli(['status']),
    ]);
    for (const r of [vaultEnv, cofferEnv, flag]) assert.equal(r.code, 0, show(r));
    assert.equal(none.code, 1, show(none));
    assert.match(none.stderr, /^Error checking seal status: GET https:\/\/127\.0\.0\.1:\d+\/v1\/sys\/seal-status: .*(self[- ]signed|certificate)/i);
  });

  it('skips verification with -tls-skip-verify or VAULT_SKIP_VERIFY', async () => {
    assert.ok(pem && t);
    const [flag, env] = await Promise.all([cli(['status', '-tls-skip-verify']), cli(['status'], { env: { VAULT_SKIP_VERIFY: 'true' } })]);
    assert.equal(flag.code, 0, show(flag));
    assert.equal(env.code, 0, show(env));
  });
});
