import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

describe('hvac kv v2 and v1 against a real dev server', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('runs the whole kv lifecycle through secrets.kv.v2 and secrets.kv.v1', async () => {
    const { code, out } = await runHvacScript('hvac_kv.py', [t.address, t.rootToken]);
    assert.equal(code, 0, out);
    assert.match(out, /ok kv v1/);
  });
});
