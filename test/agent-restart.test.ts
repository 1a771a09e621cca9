/**
 * The agent outlives a restart of the server: an SQLite-backed server is stopped and
 * started again on the same storage; the agent rides out the outage (connection refused,
 * then sealed) and goes on renewing the same token once the server is unsealed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readIfThere, sleep, startAgentWith, tempDir, waitFor, stopAllAgents } from './helpers/agent.js';
import { cleanUpDurableServers, client, initialize, sqliteConfig, startDurable, unseal } from './helpers/durable-server.js';

after(async () => {
  await stopAllAgents();
  await cleanUpDurableServers();
});

describe('coffer agent: server restart', () => {
  it('keeps renewing its token across a restart of the server', async (t) => {
    const cfg = await sqliteConfig();
    let server = await startDurable(cfg);
    const { keys, rootToken } = await initialize(server, 1, 1);
    await unseal(server, keys);
    const root = client(server, rootToken);
    assert.equal((await root('POST', 'sys/auth/approle', { type: 'approle' })).status, 204);
    assert.equal((await root('POST', 'auth/approle/role/app', { token_ttl: '8s', token_max_ttl: '1h' })).status, 204);
    const roleId = (await root('GET', 'auth/approle/role/app/role-id')).json.data.role_id as string;
    const secretId = (await root('POST', 'auth/approle/role/app/secret-id', {})).json.data.secret_id as string;

    const dir = tempDir();
    writeFileSync(join(dir, 'role-id'), roleId);
    writeFileSync(join(dir, 'secret-id'), secretId);
    const agent = startAgentWith(dir, `
vault { address = "${cfg.address}" }
auto_auth {
  method "approle" {
    config = {
      role_id_file_path = "${join(dir, 'role-id')}"
      secret_id_file_path = "${join(dir, 'secret-id')}"
    }
    min_backoff = "1s"
  }
  sink "file" { config = { path = "${join(dir, 'token')}" } }
}
`);
    const token = (await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();
    const lookup = (tok: string) => client(server, tok)('GET', 'auth/token/lookup-self');

    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    await sleep(1_500);
    server = await startDurable(cfg);
    await sleep(1_000); // a moment sealed: the agent's renewals get 503
    await unseal(server, keys);

    // Well past the 8s TTL of the token the agent had before the restart.
    await sleep(9_000);
    const now = readIfThere(join(dir, 'token'))!.trim();
    const self = await lookup(now);
    assert.equal(self.status, 200, `the sink's token works after the restart\n${agent.stderr()}`);
    assert.equal(agent.hasExited(), undefined, 'the agent is still running');
    t.diagnostic(now === token ? 'the same token was renewed across the restart' : 'the token expired during the outage; the agent logged in again');
    const before = self.json.data.ttl as number;
    await sleep(4_000);
    const later = await lookup(readIfThere(join(dir, 'token'))!.trim());
    assert.equal(later.status, 200, 'and it is still being renewed');
    assert.ok(later.json.data.ttl > 0 && (later.json.data.ttl >= before - 4), `ttl ${later.json.data.ttl} after ${before}`);
    assert.deepEqual(await agent.kill('SIGTERM'), { code: 0, signal: null });
  });
});
