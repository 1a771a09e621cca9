import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { pythonWithHvac } from './python.js';

const script = fileURLToPath(new URL('../../../test/clients/hvac_transit.py', import.meta.url));

describe('hvac secrets.transit against a real dev server', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('runs every transit method hvac has, from create_key to delete_key', async () => {
    const child = spawn(pythonWithHvac(), [script, t.address, t.rootToken], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok delete_key/);
  });
});
