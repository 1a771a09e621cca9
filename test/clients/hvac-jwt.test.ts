import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac auth.jwt against a real dev server and a test OIDC provider over ${scheme}`, () => {
  let t: TestServer;
  let idp: OidcProvider;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
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
    const { code, out } = await runHvacScript('hvac_jwt.py', [t.address, t.rootToken, idp.issuer, good, expired], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok hvac jwt/);
  });
});
