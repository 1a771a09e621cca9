import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac (Debian python3-hvac) response wrapping against a real server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('wraps reads, writes and token creation, and unwraps, looks up and rewraps', async () => {
    const { code, out } = await runHvacScript('hvac_wrapping.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok expired, non-wrapping and malformed/);
  });
});
