import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac secrets.transit against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('runs every transit method hvac has, from create_key to delete_key', async () => {
    const { code, out } = await runHvacScript('hvac_transit.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok delete_key/);
  });
});
