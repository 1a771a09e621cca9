/**
 * How the agent drives a template runner (the contract in src/agent/runner-contract.ts that
 * src/agent/render/runner.ts implements): started only once auto-auth has a token, its
 * env() in the exec child's environment, and the child restarted when onEnvChange fires
 * with restart_on_secret_changes = "always" (and not with "never"). The runner here is a
 * small real one: it reads one kv-v2 secret over HTTP with the agent's token, every 200 ms.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent } from '../src/agent/agent.js';
import { mergeConfigs, parseAgentConfigText } from '../src/agent/config/parse.js';
import type { StartTemplateRunner } from '../src/agent/runner-contract.js';
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

/** Polls secret/data/<name> and offers its `password` as DB_PASSWORD. */
function pollingRunner(seenTokens: string[]): StartTemplateRunner {
  return (opts) => {
    let env: Record<string, string> = {};
    let stopped = false;
    const read = async () => {
      const token = opts.token();
      seenTokens.push(token);
      const res = await fetch(`${opts.address}/v1/secret/data/app/db`, { headers: { 'X-Vault-Token': token } });
      const body = (await res.json()) as { data?: { data?: { password?: string } } };
      const next = { [opts.envTemplates[0]!.name]: body.data?.data?.password ?? '' };
      const changed = JSON.stringify(next) !== JSON.stringify(env);
      const first = Object.keys(env).length === 0;
      env = next;
      if (changed && !first) opts.onEnvChange?.(env);
    };
    const firstRender = read();
    const timer = setInterval(() => void (stopped || read().catch(() => undefined)), 200);
    return {
      firstRender,
      env: () => env,
      stop: async () => {
        stopped = true;
        clearInterval(timer);
      },
    };
  };
}

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
  const tokens: string[] = [];
  const agent = await startAgent(config, { logger: silentLogger, startTemplateRunner: pollingRunner(tokens) });
  await waitFor('the child', () => readIfThere(out)?.includes('first'));
  assert.equal(tokens[0], token, 'the runner started with the auto-auth token');
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
