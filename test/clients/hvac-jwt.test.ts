import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { pythonWithHvac } from './python.js';

const script = fileURLToPath(new URL('../../../test/clients/hvac_jwt.py', import.meta.url));

describe('hvac auth.jwt against a real dev server and a test OIDC provider', () => {
  let t: TestServer;
  let idp: OidcProvider;
  before(async () => {
    t = await startDevServer();
    idp = await startOidcProvider();
  });
  after(async () => {
    await t.close();
    await idp.close();
  });

  it('configures, creates and reads roles, and logs in through client.auth.jwt', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'build-7', aud: 'coffer', project: 'alpha', email: 'ci@example.com' };
    const good = await idp.mint(claims);
    const expired = await idp.mint({ ...claims, iat: now - 7200, exp: now - 3600 });
    const child = spawn(pythonWithHvac(), [script, t.address, t.rootToken, idp.issuer, good, expired], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok hvac jwt/);
  });
});
