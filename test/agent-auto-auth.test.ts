/**
 * `coffer agent` auto-auth as a user runs it: the built CLI against a real dev server,
 * AppRole with a response-wrapped secret id, the token sink with its mode, renewal of a
 * short-lived token, re-authentication after revocation and at max TTL, wrapped sinks,
 * exit_after_auth, and the token_file, jwt and kubernetes methods.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { caller, readIfThere, setUpAppRole, sleep, startAgentWith, stopAllAgents, tempDir, waitFor, type Call } from './helpers/agent.js';
import { startKubeApi, type KubeApi } from './helpers/kube-api.js';
import { makeKey, sign } from './helpers/oidc-provider.js';
import { startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

let server: ProcessServer;
let root: Call;
let roleId: string;
let kube: KubeApi | undefined;

before(async () => {
  server = await startProcessServer({ dev: { rootTokenId: 'root' } });
  root = caller(server, 'root');
  roleId = await setUpAppRole(root, { token_ttl: '4s', token_max_ttl: '1h' });
  const put = await root('POST', 'secret/data/app/db', { data: { password: 'hunter2' } });
  assert.equal(put.status, 200, put.text);
});

after(async () => {
  await stopAllAgents();
  await kube?.close();
  await stopAllProcessServers();
});

/** A wrapped secret id, as an orchestrator hands one to a workload. */
async function wrappedSecretId(): Promise<{ token: string; creationPath: string }> {
  const r = await server.request('/v1/auth/approle/role/app/secret-id', { method: 'POST', body: {}, headers: { 'X-Vault-Token': 'root', 'X-Vault-Wrap-TTL': '5m' } });
  assert.equal(r.status, 200, r.text);
  return { token: r.json.wrap_info.token, creationPath: r.json.wrap_info.creation_path };
}

async function plainSecretId(): Promise<string> {
  const r = await root('POST', 'auth/approle/role/app/secret-id', {});
  assert.equal(r.status, 200, r.text);
  return r.json.data.secret_id;
}

function approleConfig(dir: string, opts: { wrapped?: boolean; sinkExtra?: string; extra?: string } = {}): string {
  return `
pid_file = "${join(dir, 'agent.pid')}"

vault {
  address = "${server.address}"
}

auto_auth {
  method "approle" {
    mount_path = "auth/approle"
    config = {
      role_id_file_path = "${join(dir, 'role-id')}"
      secret_id_file_path = "${join(dir, 'secret-id')}"
      ${opts.wrapped ? 'secret_id_response_wrapping_path = "auth/approle/role/app/secret-id"' : ''}
    }
  }

  sink "file" {
    config = {
      path = "${join(dir, 'token')}"
      mode = 0640
    }
    ${opts.sinkExtra ?? ''}
  }
}
${opts.extra ?? ''}
`;
}

const lookupSelf = (token: string) => root('GET', 'auth/token/lookup-self', undefined, token);

describe('coffer agent: AppRole auto-auth', () => {
  it('logs in with a wrapped secret id, removes the secret id file and writes a working token with mode 0640', async () => {
    const dir = tempDir();
    const wrapped = await wrappedSecretId();
    assert.equal(wrapped.creationPath, 'auth/approle/role/app/secret-id');
    writeFileSync(join(dir, 'role-id'), `${roleId}\n`);
    writeFileSync(join(dir, 'secret-id'), wrapped.token);
    const agent = startAgentWith(dir, approleConfig(dir, { wrapped: true }));
    const token = (await waitFor('the sink file', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();

    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o640);
    assert.equal(existsSync(join(dir, 'secret-id')), false, 'the secret id file is removed after reading');
    const self = await lookupSelf(token);
    assert.equal(self.status, 200, self.text);
    assert.deepEqual(self.json.data.policies, ['app', 'default']);
    const secret = await root('GET', 'secret/data/app/db', undefined, token);
    assert.equal(secret.status, 200, secret.text);
    assert.equal(secret.json.data.data.password, 'hunter2');
    // The wrapping token was used up by the agent.
    const again = await root('POST', 'sys/wrapping/unwrap', undefined, wrapped.token);
    assert.notEqual(again.status, 200);

    assert.equal(readIfThere(join(dir, 'agent.pid'))?.trim(), String(agent.pid), 'pid_file holds the agent pid');
    assert.doesNotMatch(agent.stderr() + agent.stdout(), new RegExp(token.replace(/[.]/g, '\\.')), 'the log never holds the token');
    assert.doesNotMatch(agent.stderr() + agent.stdout(), new RegExp(wrapped.token.replace(/[.]/g, '\\.')));
    const exit = await agent.kill('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, agent.stderr());
    assert.equal(existsSync(join(dir, 'agent.pid')), false, 'pid_file is removed on exit');
  });

  it('refuses a wrapping token made at another path, and logs no secret', async () => {
    const dir = tempDir();
    // A wrapping token that holds a secret id someone else chose, made with sys/wrapping/wrap.
    const r = await server.request('/v1/sys/wrapping/wrap', { method: 'POST', body: { secret_id: 'attacker-chosen' }, headers: { 'X-Vault-Token': 'root', 'X-Vault-Wrap-TTL': '5m' } });
    assert.equal(r.status, 200, r.text);
    writeFileSync(join(dir, 'role-id'), roleId);
    writeFileSync(join(dir, 'secret-id'), r.json.wrap_info.token);
    const agent = startAgentWith(dir, approleConfig(dir, { wrapped: true }));
    await waitFor('the refusal in the log', () => /sys\/wrapping\/wrap/.test(agent.stderr()) && /secret_id_response_wrapping_path/.test(agent.stderr()), 15_000, agent);
    assert.equal(readIfThere(join(dir, 'token')), undefined, 'no token was written');
    assert.ok(!agent.stderr().includes(r.json.wrap_info.token));
    await agent.kill('SIGTERM');
  });

  it('renews a short-lived token before it expires, and logs in again after it is revoked', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'role-id'), roleId);
    writeFileSync(join(dir, 'secret-id'), await plainSecretId());
    const agent = startAgentWith(dir, approleConfig(dir));
    const first = (await waitFor('the sink file', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();
    assert.equal((await lookupSelf(first)).json.data.ttl <= 4, true);

    // Past the 4s TTL: alive only because the agent renewed it.
    await sleep(6_000);
    const self = await lookupSelf(first);
    assert.equal(self.status, 200, `the token outlived its TTL through renewal: ${self.text}\n${agent.stderr()}`);
    assert.ok(self.json.data.last_renewal_time || self.json.data.ttl > 0);
    assert.equal(readIfThere(join(dir, 'token'))?.trim(), first, 'a renewal keeps the same token in the sink');

    const revoked = await root('POST', 'auth/token/revoke', { token: first });
    assert.equal(revoked.status, 204, revoked.text);
    // The secret id file is gone; the agent logs in again with the secret id it read before.
    const second = await waitFor('a new token in the sink', () => {
      const t = readIfThere(join(dir, 'token'))?.trim();
      return t && t !== first ? t : undefined;
    }, 15_000, agent);
    assert.equal((await lookupSelf(second)).status, 200);
    assert.equal((await lookupSelf(first)).status, 403);
    await agent.kill('SIGTERM');
  });

  it('logs in again when the token reaches its max TTL', async () => {
    const r = await root('POST', 'auth/approle/role/short', { token_policies: 'app', token_ttl: '2s', token_max_ttl: '4s' });
    assert.equal(r.status, 204, r.text);
    const shortRoleId = (await root('GET', 'auth/approle/role/short/role-id')).json.data.role_id as string;
    const sid = await root('POST', 'auth/approle/role/short/secret-id', {});
    const dir = tempDir();
    writeFileSync(join(dir, 'role-id'), shortRoleId);
    writeFileSync(join(dir, 'secret-id'), sid.json.data.secret_id);
    const agent = startAgentWith(dir, approleConfig(dir));
    const first = (await waitFor('the sink file', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();
    const second = await waitFor('a new token at max TTL', () => {
      const t = readIfThere(join(dir, 'token'))?.trim();
      return t && t !== first ? t : undefined;
    }, 15_000, agent);
    assert.equal((await lookupSelf(second)).status, 200);
    await agent.kill('SIGTERM');
  });

  it('backs off after a failed login and uses a secret id file written later', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'role-id'), roleId);
    writeFileSync(join(dir, 'secret-id'), 'not-a-valid-secret-id');
    const agent = startAgentWith(dir, approleConfig(dir).replace('mount_path = "auth/approle"', 'mount_path = "auth/approle"\n    min_backoff = "500ms"\n    max_backoff = "2s"'));
    await waitFor('two failed logins', () => (agent.stderr().match(/login failed; will retry/g) ?? []).length >= 2, 15_000, agent);
    assert.match(agent.stderr(), /backoff=0.5s[\s\S]*backoff=1s/, `the wait doubles\n${agent.stderr()}`);
    assert.ok(!agent.stderr().includes('not-a-valid-secret-id'), 'the log never holds the secret id');
    assert.equal(readIfThere(join(dir, 'token')), undefined);
    writeFileSync(join(dir, 'secret-id'), await plainSecretId());
    const token = (await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();
    assert.equal((await lookupSelf(token)).status, 200);
    await agent.kill('SIGTERM');
  });

  it('writes a wrapping token to a sink with wrap_ttl, and exits after auth with exit_after_auth', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'role-id'), roleId);
    writeFileSync(join(dir, 'secret-id'), await plainSecretId());
    const agent = startAgentWith(dir, approleConfig(dir, { sinkExtra: 'wrap_ttl = "5m"', extra: 'exit_after_auth = true' }));
    const exit = await agent.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, agent.stderr());
    const info = JSON.parse(readIfThere(join(dir, 'token'))!);
    assert.equal(info.creation_path, 'sys/wrapping/wrap');
    assert.equal(info.ttl, 300);
    const unwrapped = await root('POST', 'sys/wrapping/unwrap', undefined, info.token);
    assert.equal(unwrapped.status, 200, unwrapped.text);
    const token = unwrapped.json.data.token as string;
    assert.equal((await root('GET', 'secret/data/app/db', undefined, token)).json.data.data.password, 'hunter2');
  });
});

describe('coffer agent: other auto-auth methods', () => {
  it('token_file: uses the token in the file and keeps it renewed', async () => {
    const created = await root('POST', 'auth/token/create', { policies: ['app'], ttl: '4s' });
    assert.equal(created.status, 200, created.text);
    const token = created.json.auth.client_token as string;
    const dir = tempDir();
    writeFileSync(join(dir, 'vault-token'), token);
    const agent = startAgentWith(dir, `
vault { address = "${server.address}" }
auto_auth {
  method "token_file" {
    config = { token_file_path = "${join(dir, 'vault-token')}" }
  }
  sink "file" { config = { path = "${join(dir, 'token')}" } }
}
`);
    assert.equal((await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim(), token);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o640, "Vault's default sink mode");
    await sleep(6_000);
    assert.equal((await lookupSelf(token)).status, 200, `renewed past its 4s TTL\n${agent.stderr()}`);
    await agent.kill('SIGTERM');
  });

  it('file sink: makes a missing directory for the token file', async () => {
    const created = await root('POST', 'auth/token/create', { policies: ['app'] });
    assert.equal(created.status, 200, created.text);
    const token = created.json.auth.client_token as string;
    const dir = tempDir();
    writeFileSync(join(dir, 'vault-token'), token);
    const sinkPath = join(dir, 'run', 'agent', 'token');
    const agent = startAgentWith(dir, `
vault { address = "${server.address}" }
auto_auth {
  method "token_file" {
    config = { token_file_path = "${join(dir, 'vault-token')}" }
  }
  sink "file" { config = { path = "${sinkPath}" } }
}
`);
    assert.equal((await waitFor('the sink', () => readIfThere(sinkPath), 15_000, agent)).trim(), token);
    assert.equal(statSync(sinkPath).mode & 0o777, 0o640);
    await agent.kill('SIGTERM');
  });

  it('jwt: logs in with the JWT in a file (removed after reading)', async () => {
    const key = await makeKey('agent-test');
    assert.equal((await root('POST', 'sys/auth/jwt', { type: 'jwt' })).status, 204);
    const cfg = await root('POST', 'auth/jwt/config', { jwt_validation_pubkeys: [key.pem] });
    assert.equal(cfg.status, 204, cfg.text);
    const role = await root('POST', 'auth/jwt/role/agent', { role_type: 'jwt', bound_audiences: 'coffer', user_claim: 'sub', token_policies: 'app' });
    assert.equal(role.status, 204, role.text);
    const jwt = await sign(key, { sub: 'workload-1', aud: 'coffer', iss: 'test', exp: Math.floor(Date.now() / 1000) + 600 });
    const dir = tempDir();
    writeFileSync(join(dir, 'jwt'), jwt);
    const agent = startAgentWith(dir, `
vault { address = "${server.address}" }
auto_auth {
  method "jwt" {
    config = {
      path = "${join(dir, 'jwt')}"
      role = "agent"
    }
  }
  sink "file" { config = { path = "${join(dir, 'token')}" } }
}
`);
    const token = (await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();
    assert.equal((await root('GET', 'secret/data/app/db', undefined, token)).json.data.data.password, 'hunter2');
    assert.equal(existsSync(join(dir, 'jwt')), false, 'remove_jwt_after_reading defaults to true');
    await agent.kill('SIGTERM');
  });

  it('kubernetes: logs in with the service account token at token_path', async () => {
    kube = await startKubeApi();
    assert.equal((await root('POST', 'sys/auth/kubernetes', { type: 'kubernetes' })).status, 204);
    const cfg = await root('POST', 'auth/kubernetes/config', { kubernetes_host: kube.host, kubernetes_ca_cert: kube.caCert, token_reviewer_jwt: kube.reviewerJwt, disable_local_ca_jwt: true });
    assert.equal(cfg.status, 204, cfg.text);
    const role = await root('POST', 'auth/kubernetes/role/web', { bound_service_account_names: 'web', bound_service_account_namespaces: 'prod', token_policies: 'app' });
    assert.ok(role.status === 200 || role.status === 204, role.text);
    const dir = tempDir();
    writeFileSync(join(dir, 'sa-token'), await kube.mint({ namespace: 'prod', name: 'web', expiresIn: 600 }));
    const agent = startAgentWith(dir, `
vault { address = "${server.address}" }
auto_auth {
  method "kubernetes" {
    mount_path = "auth/kubernetes"
    config = {
      role = "web"
      token_path = "${join(dir, 'sa-token')}"
    }
  }
  sink "file" { config = { path = "${join(dir, 'token')}" } }
}
`);
    const token = (await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent)).trim();
    assert.equal((await root('GET', 'secret/data/app/db', undefined, token)).json.data.data.password, 'hunter2');
    assert.ok(existsSync(join(dir, 'sa-token')), 'the projected token is left for the kubelet');
    await agent.kill('SIGTERM');
  });
});
