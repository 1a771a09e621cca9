import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { pythonWithHvac } from './python.js';

// The script ships beside the TypeScript source; tests run from dist/.
const script = fileURLToPath(new URL('../../../test/clients/hvac_wrapping.py', import.meta.url));

describe('hvac (Debian python3-hvac) response wrapping against a real server', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('wraps reads, writes and token creation, and unwraps, looks up and rewraps', async () => {
    const python = pythonWithHvac();
    // The server runs in this process: the client must run beside it, not block it.
    const child = spawn(python, [script, t.address, t.rootToken], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok expired, non-wrapping and malformed/);
  });
});
