/**
 * `coffer agent -config` with a `template` stanza, as a process against a real server: the
 * file is rendered with its mode and follows the secret within a second (through events).
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
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

describe('coffer agent: template files', () => {
  it('renders a template file with its perms, and re-renders it within a second of the secret changing', async () => {
    // The role's policy may also subscribe to kv events: that is what makes the change arrive within a second.
    assert.equal((await root('PUT', 'sys/policies/acl/app', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "sys/events/subscribe/*" { capabilities = ["read", "subscribe"] }' })).status, 204);
    assert.equal((await root('POST', 'secret/data/app/live', { data: { password: 'first' } })).status, 200);
    const dir = tempDir();
    const rendered = join(dir, 'db.conf');
    const agent = startAgentWith(dir, `${await authStanza(dir)}
template {
  contents = "password={{ with secret \\"secret/data/app/live\\" }}{{ .Data.data.password }}{{ end }}\\n"
  destination = "${rendered}"
  perms = "0600"
}
`);
    await waitFor('the first render', () => readIfThere(rendered) === 'password=first\n', 15_000, agent);
    assert.equal(statSync(rendered).mode & 0o777, 0o600);
    const writtenAt = Date.now();
    assert.equal((await root('POST', 'secret/data/app/live', { data: { password: 'second' } })).status, 200);
    await waitFor('the re-rendered file', () => readIfThere(rendered) === 'password=second\n', 5_000, agent);
    const tookMs = Date.now() - writtenAt;
    assert.ok(tookMs < 1_000, `re-rendered ${tookMs} ms after the write`);
    assert.doesNotMatch(agent.stderr(), /first|second/, 'the log holds no rendered value');
    agent.kill('SIGTERM');
    await agent.exited;
  });
});
