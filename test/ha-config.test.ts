/**
 * A node of an HA cluster advertises where it is reached: api_addr, else its first
 * listener's address. A listener on 0.0.0.0 or :: names no reachable host (standbys would
 * forward to themselves), so without api_addr such a server refuses to start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { devConfig, type ServerConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { silentLogger } from '../src/logging/logger.js';

let pg: TestPostgres;

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
});

function haConfig(listen: string, apiAddr?: string): ServerConfig {
  const base = devConfig(listen);
  return {
    ...base,
    storage: { type: 'postgresql', config: { connection_url: pg.url('postgres', pg.password), table: 'cfg_kv', ha_enabled: 'true' } },
    ...(apiAddr ? { apiAddr } : {}),
    logLevel: 'off',
  };
}

describe('api_addr of an HA node', () => {
  it('refuses to start without api_addr when the listener is on an unspecified address', async () => {
    for (const listen of ['0.0.0.0:0', '[::]:0']) {
      await assert.rejects(startServer(haConfig(listen), undefined, silentLogger), /api_addr/, listen);
    }
  });

  it('starts with api_addr, or on a specific listener address, and advertises that', async () => {
    const withAddr = await startServer(haConfig('0.0.0.0:0', 'http://node-a.example:8200'), undefined, silentLogger);
    try {
      assert.equal(withAddr.core.apiAddr, 'http://node-a.example:8200');
    } finally {
      await withAddr.close();
    }
    const loopback = await startServer(haConfig('127.0.0.1:0'), undefined, silentLogger);
    try {
      assert.match(loopback.core.apiAddr, /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await loopback.close();
    }
  });
});
