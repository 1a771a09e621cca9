import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { runHvacScript } from './python.js';
import { SCHEMES, trustEnv, listenerCertificate, listenerConfig } from '../helpers/dev-server.js';

for (const scheme of SCHEMES) describe(`hvac (Debian python3-hvac) against a real server over ${scheme}`, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off', ...listenerConfig(scheme) }, undefined, silentLogger);
  });
  after(() => server.close());

  it('initializes, unseals, and manages mounts, policies, tokens and kv v1', async () => {
    const { code, out } = await runHvacScript('hvac_core.py', [server.address], trustEnv({ tls: listenerCertificate(scheme) }));
    assert.equal(code, 0, out);
    assert.match(out, /ok seal/);
  });
});

