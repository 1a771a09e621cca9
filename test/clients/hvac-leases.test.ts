import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { leasingRegistry } from '../helpers/leasing-backend.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac sys lease methods against a real server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, { extraBackends: leasingRegistry }, scheme);
    await t.root.write('sys/mounts/db', { type: 'leasing' });
  });
  after(() => t.close());

  it('reads, lists, renews and revokes leases (one, by prefix, forced)', async () => {
    const { code, out } = await runHvacScript('hvac_leases.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok revoke_force/);
  });
});
