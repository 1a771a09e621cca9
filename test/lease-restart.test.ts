/**
 * Leases and token expiry survive a restart on SQLite: a server is stopped, stays down past
 * some TTLs, and after the next unseal revokes exactly what expired, on its own, while the
 * rest stays valid.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiClient } from '../src/api/client.js';
import { silentLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';
import { leasingRegistry } from './helpers/leasing-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-lease-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const boot = () =>
  startServer(
    { ...devConfig('127.0.0.1:0'), logLevel: 'off', storage: { type: 'sqlite', config: { path: join(dir, 'coffer.db') } } },
    undefined,
    silentLogger,
    { extraBackends: leasingRegistry },
  );

describe('leases across a restart', () => {
  it('revokes what expired while the server was down, and keeps the rest', async () => {
    let server = await boot();
    const { keys, rootToken } = await server.core.initialize({ secretShares: 1, secretThreshold: 1 });
    await server.core.seal.submitUnsealKey(keys[0]!);
    let root = createApiClient({ address: server.address, token: rootToken });
    await root.write('sys/mounts/db', { type: 'leasing' });
    await root.write('db/config', { ttl: 2 });
    const short = (await root.read('db/creds/short'))!;
    await root.write('db/config', { ttl: '1h' });
    const long = (await root.read('db/creds/long'))!;
    const shortToken = ((await root.write('auth/token/create', { ttl: 2, policies: ['default'] }))!.auth as { client_token: string }).client_token;
    const longToken = ((await root.write('auth/token/create', { ttl: '1h', policies: ['default'] }))!.auth as { client_token: string }).client_token;
    await server.close();

    await sleep(2500);
    server = await boot();
    await server.core.seal.submitUnsealKey(keys[0]!);
    root = createApiClient({ address: server.address, token: rootToken });
    const accounts = async () => ((await root.list('db/accounts/'))?.data?.keys as string[]) ?? [];
    const deadline = Date.now() + 3000;
    while ((await accounts()).includes((short.data as { username: string }).username) && Date.now() < deadline) await sleep(50);
    const left = await accounts();
    assert.ok(!left.includes((short.data as { username: string }).username), 'the expired lease was not revoked after restart');
    assert.ok(left.includes((long.data as { username: string }).username));
    assert.equal((await root.raw('PUT', 'sys/leases/lookup', { lease_id: long.lease_id })).status, 200);
    assert.equal((await root.raw('PUT', 'sys/leases/lookup', { lease_id: short.lease_id })).status, 400);
    assert.equal((await createApiClient({ address: server.address, token: shortToken }).raw('GET', 'auth/token/lookup-self')).status, 403);
    assert.equal((await createApiClient({ address: server.address, token: longToken }).raw('GET', 'auth/token/lookup-self')).status, 200);
    await server.close();
  });
});
