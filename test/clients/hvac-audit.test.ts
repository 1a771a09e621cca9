import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { runHvacScript } from './python.js';
import { SCHEMES, trustEnv, listenerCertificate, listenerConfig } from '../helpers/dev-server.js';

for (const scheme of SCHEMES) describe(`hvac's audit-device methods against a real server over ${scheme}`, () => {
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-hvac-audit-'));
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off', ...listenerConfig(scheme) }, { rootTokenId: 'hvac-audit-root-token' }, silentLogger);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enables, lists, hashes with and disables a file audit device', async () => {
    const { code, out } = await runHvacScript('hvac_audit.py', [server.address, server.dev!.rootToken, join(dir, 'audit.log')], trustEnv({ tls: listenerCertificate(scheme) }));
    assert.equal(code, 0, out);
    assert.match(out, /ok disable_audit_device/);
  });
});
