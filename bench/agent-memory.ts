/**
 * The agent's resident memory once idle after auto-auth (AppRole, a file sink, the API
 * proxy listening; no templates), beside an idle bare node process measured in the same
 * run: the difference is what the agent itself holds. Run: node dist/bench/agent-memory.js
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caller, readIfThere, setUpAppRole, sleep, spawnAgent, stopAllAgents, tempDir, waitFor } from '../test/helpers/agent.js';
import { freePort, httpRequest, startProcessServer, stopAllProcessServers } from '../test/helpers/process-server.js';

const IDLE_MS = Number(process.env['BENCH_IDLE_MS'] ?? 5_000);

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const server = await startProcessServer({ dev: { rootTokenId: 'root' } });
  const root = caller(server, 'root');
  const roleId = await setUpAppRole(root);
  await root('POST', 'secret/data/app/db', { data: { password: 'x' } });
  const dir = tempDir();
  writeFileSync(join(dir, 'role-id'), roleId);
  writeFileSync(join(dir, 'secret-id'), (await root('POST', 'auth/approle/role/app/secret-id', {})).json.data.secret_id);
  const port = await freePort();
  writeFileSync(join(dir, 'agent.hcl'), `
vault { address = "${server.address}" }
auto_auth {
  method "approle" {
    config = {
      role_id_file_path = "${join(dir, 'role-id')}"
      secret_id_file_path = "${join(dir, 'secret-id')}"
    }
  }
  sink "file" { config = { path = "${join(dir, 'token')}" } }
}
api_proxy { use_auto_auth_token = true }
listener "tcp" {
  address = "127.0.0.1:${port}"
  tls_disable = true
}
`);
  const agent = spawnAgent([`-config=${join(dir, 'agent.hcl')}`]);
  await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent);
  // One proxied request, so the proxy's code paths are loaded too.
  await httpRequest(`http://127.0.0.1:${port}/v1/secret/data/app/db`);
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  await sleep(IDLE_MS);
  const agentKiB = rssKiB(agent.pid);
  const bareKiB = rssKiB(bare.pid!);
  bare.kill('SIGKILL');
  console.log(`agent idle RSS after auth (approle, sink, api proxy; no templates): ${(agentKiB / 1024).toFixed(1)} MiB`);
  console.log(`bare node process (same run):                                      ${(bareKiB / 1024).toFixed(1)} MiB`);
  console.log(`agent above bare node:                                             ${((agentKiB - bareKiB) / 1024).toFixed(1)} MiB`);
  await stopAllAgents();
  await stopAllProcessServers();
}

await main();
