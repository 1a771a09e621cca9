import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { pythonWithHvac } from './python.js';

// The script ships beside the TypeScript source; tests run from dist/.
const script = fileURLToPath(new URL('../../../test/clients/hvac_core.py', import.meta.url));

describe('hvac (Debian python3-hvac) against a real server', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, undefined, silentLogger);
  });
  after(() => server.close());

  it('initializes, unseals, and manages mounts, policies, tokens and kv v1', async () => {
    const python = pythonWithHvac();
    // The server runs in this process: the client must run beside it, not block it.
    const child = spawn(python, [script, server.address], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok seal/);
  });
});

