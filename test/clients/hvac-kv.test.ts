import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac kv v2 and v1 against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('runs the whole kv lifecycle through secrets.kv.v2 and secrets.kv.v1', async () => {
    const { code, out } = await runHvacScript('hvac_kv.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok kv v1/);
  });
});
