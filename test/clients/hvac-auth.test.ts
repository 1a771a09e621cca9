import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac userpass and approle against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('runs both methods through auth.userpass, auth.approle and the older Client helpers', async () => {
    const { code, out } = await runHvacScript('hvac_auth.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok hvac auth/);
  });
});
