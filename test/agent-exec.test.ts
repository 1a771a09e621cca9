/**
 * `coffer agent` as a process supervisor (exec): the child gets the agent's environment,
 * starts once auto-auth has a token, receives the signals the agent receives, and its exit
 * code becomes the agent's (env templates and restarts: agent-runner-join.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appRoleStanzas, caller, readIfThere, setUpAppRole, startAgentWith, stopAllAgents, tempDir, waitFor, type Call } from './helpers/agent.js';
import { startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

let server: ProcessServer;
let root: Call;
let roleId: string;

before(async () => {
  server = await startProcessServer({ dev: { rootTokenId: 'root' } });
  root = caller(server, 'root');
  roleId = await setUpAppRole(root);
  assert.equal((await root('POST', 'secret/data/app/db', { data: { password: 'hunter2' } })).status, 200);
});

after(async () => {
  await stopAllAgents();
  await stopAllProcessServers();
});

const authStanza = (dir: string) => appRoleStanzas(dir, server, root, roleId);

describe('coffer agent: exec', () => {
  it('starts the child after auto-auth with the agent environment, and exits with its exit code', async () => {
    const dir = tempDir();
    // The child uses the sink's token to read its secret, as an application would.
    const script = `echo "$GREETING" > ${join(dir, 'env')}; curl -sS -H "X-Vault-Token: $(cat ${join(dir, 'token')})" ${server.address}/v1/secret/data/app/db > ${join(dir, 'secret')}; exit 7`;
    const agent = startAgentWith(dir, `${await authStanza(dir)}
exec {
  command = ["sh", "-c", ${JSON.stringify(script)}]
}
`, { GREETING: 'hello from the parent' });
    const exit = await agent.exited;
    assert.deepEqual(exit, { code: 7, signal: null }, agent.stderr());
    assert.equal(readFileSync(join(dir, 'env'), 'utf8').trim(), 'hello from the parent');
    assert.equal(JSON.parse(readFileSync(join(dir, 'secret'), 'utf8')).data.data.password, 'hunter2');
  });

  it('forwards SIGHUP and SIGTERM to the child and exits with the code it chooses; pid_file names the agent', async () => {
    const dir = tempDir();
    const log = join(dir, 'signals');
    const script = `trap 'echo HUP >> ${log}' HUP; trap 'echo TERM >> ${log}; exit 3' TERM; echo ready >> ${log}; while true; do sleep 0.1; done`;
    const agent = startAgentWith(dir, `${await authStanza(dir)}
pid_file = "${join(dir, 'agent.pid')}"
exec {
  command = ["sh", "-c", ${JSON.stringify(script)}]
  restart_on_secret_changes = "never"
  restart_stop_signal = "SIGINT"
}
`);
    await waitFor('the child', () => readIfThere(log)?.includes('ready'), 15_000, agent);
    assert.equal(readIfThere(join(dir, 'agent.pid'))?.trim(), String(agent.pid));
    agent.child.kill('SIGHUP');
    await waitFor('HUP in the child', () => readIfThere(log)?.includes('HUP'), 10_000, agent);
    assert.equal(agent.hasExited(), undefined, 'SIGHUP does not stop the agent');
    agent.child.kill('SIGTERM');
    const exit = await agent.exited;
    assert.deepEqual(exit, { code: 3, signal: null }, agent.stderr());
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['ready', 'HUP', 'TERM']);
    assert.equal(readIfThere(join(dir, 'agent.pid')), undefined, 'pid_file removed');
  });

  it('exits 128+n when the child dies of signal n, and 127 with a clear message when the command does not exist', async () => {
    const dir = tempDir();
    const agent = startAgentWith(dir, `${await authStanza(dir)}
exec { command = ["sh", "-c", "kill -KILL $$"] }
`);
    assert.deepEqual(await agent.exited, { code: 137, signal: null }, agent.stderr());

    const dir2 = tempDir();
    const missing = startAgentWith(dir2, `${await authStanza(dir2)}
exec { command = ["/nonexistent/app", "--serve"] }
`);
    assert.deepEqual(await missing.exited, { code: 127, signal: null });
    assert.match(missing.stderr(), /cannot start the exec command.*\/nonexistent\/app.*ENOENT/);
  });

});
