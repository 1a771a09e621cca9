/**
 * How the agent drives the template runner (src/agent/render/): started once auto-auth has
 * a token, its env templates in the exec child's environment, and the child restarted when
 * a secret they read changes with restart_on_secret_changes = "always" (not with "never").
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent } from '../src/agent/agent.js';
import { mergeConfigs, parseAgentConfigText } from '../src/agent/config/parse.js';
import { silentLogger } from '../src/logging/logger.js';
import { caller, readIfThere, stopAllAgents, tempDir, waitFor, type Call } from './helpers/agent.js';
import { startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

let server: ProcessServer;
let root: Call;

before(async () => {
  server = await startProcessServer({ dev: { rootTokenId: 'root' } });
  root = caller(server, 'root');
});
after(async () => {
  await stopAllAgents();
  await stopAllProcessServers();
});

async function runWith(restart: 'always' | 'never') {
  assert.equal((await root('POST', 'secret/data/app/db', { data: { password: 'first' } })).status, 200);
  const dir = tempDir();
  const token = (await root('POST', 'auth/token/create', { policies: ['root'] })).json.auth.client_token as string;
  writeFileSync(join(dir, 'vault-token'), token);
  const out = join(dir, 'starts');
  const config = mergeConfigs([
    parseAgentConfigText(
      `
vault { address = "${server.address}" }
auto_auth {
  method "token_file" {
    config = { token_file_path = "${join(dir, 'vault-token')}" }
  }
}
env_template "DB_PASSWORD" {
  contents = "{{ with secret \\"secret/data/app/db\\" }}{{ .Data.data.password }}{{ end }}"
}
exec {
  command = ["sh", "-c", "echo \\"$DB_PASSWORD\\" >> ${out}; while true; do sleep 0.1; done"]
  restart_on_secret_changes = "${restart}"
}
`,
      'agent.hcl',
    ),
  ], {});
  const agent = await startAgent(config, { logger: silentLogger });
  await waitFor('the child', () => readIfThere(out)?.includes('first'));
  assert.equal((await root('POST', 'secret/data/app/db', { data: { password: 'second' } })).status, 200);
  return { agent, out };
}

describe('coffer agent: joining the template runner', () => {
  it('gives the exec child the env templates and restarts it when they change ("always")', async () => {
    const { agent, out } = await runWith('always');
    await waitFor('the restarted child', () => readIfThere(out)?.includes('second'));
    assert.deepEqual(readIfThere(out)!.trim().split('\n'), ['first', 'second']);
    agent.signal('SIGTERM');
    assert.equal(await agent.done, 143, 'the child died of the forwarded SIGTERM; the agent exits as it did');
  });

  it('leaves the child alone when restart_on_secret_changes = "never"', async () => {
    const { agent, out } = await runWith('never');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(readIfThere(out)!.trim().split('\n'), ['first']);
    agent.signal('SIGTERM');
    assert.equal(await agent.done, 143);
  });
});
