import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { pythonWithHvac } from './python.js';

// The script ships beside the TypeScript source; tests run from dist/.
const script = fileURLToPath(new URL('../../../test/clients/hvac_audit.py', import.meta.url));

describe("hvac's audit-device methods against a real server", () => {
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-hvac-audit-'));
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, { rootTokenId: 'hvac-audit-root-token' }, silentLogger);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enables, lists, hashes with and disables a file audit device', async () => {
    const python = pythonWithHvac();
    // The server runs in this process: the client must run beside it, not block it.
    const child = spawn(python, [script, server.address, server.dev!.rootToken, join(dir, 'audit.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok disable_audit_device/);
  });
});
