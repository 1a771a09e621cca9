import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { leasingRegistry } from '../helpers/leasing-backend.js';
import { pythonWithHvac } from './python.js';

const script = fileURLToPath(new URL('../../../test/clients/hvac_leases.py', import.meta.url));

describe('hvac sys lease methods against a real server', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, { extraBackends: leasingRegistry });
    await t.root.write('sys/mounts/db', { type: 'leasing' });
  });
  after(() => t.close());

  it('reads, lists, renews and revokes leases (one, by prefix, forced)', async () => {
    const child = spawn(pythonWithHvac(), [script, t.address, t.rootToken], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok revoke_force/);
  });
});
