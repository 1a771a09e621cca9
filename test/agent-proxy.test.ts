/**
 * `coffer agent` as an API proxy: applications on the host send requests (curl, LIST from
 * hvac-style clients, large streamed bodies) to the agent's listener without a token and
 * get the server's answers. Includes the AppRole example configuration from the Vault /
 * OpenBao documentation, run as written.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import http from 'node:http';
import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { caller, readIfThere, setUpAppRole, spawnAgent, startAgentWith, stopAllAgents, tempDir, waitFor, type AgentProcess, type Call } from './helpers/agent.js';
import { withPortLock } from './helpers/port-lock.js';
import { freePort, httpRequest, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';
import { selfSignedCert } from './helpers/tls-cert.js';

const run = promisify(execFile);
let server: ProcessServer;
let root: Call;
let roleId: string;

before(async () => {
  server = await startProcessServer({ dev: { rootTokenId: 'root' } });
  root = caller(server, 'root');
  roleId = await setUpAppRole(root);
  assert.equal((await root('POST', 'secret/data/app/db', { data: { password: 'hunter2' } })).status, 200);
  assert.equal((await root('POST', 'secret/data/app/other', { data: { x: '1' } })).status, 200);
});

after(async () => {
  await stopAllAgents();
  await stopAllProcessServers();
});

async function secretId(): Promise<string> {
  return (await root('POST', 'auth/approle/role/app/secret-id', {})).json.data.secret_id;
}

/** An agent with AppRole auto-auth and an API proxy on a free port; resolves once it listens. */
async function proxyAgent(useAutoAuthToken: string, listenerExtra = 'tls_disable = true'): Promise<{ agent: AgentProcess; url: string; dir: string }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'role-id'), roleId);
  writeFileSync(join(dir, 'secret-id'), await secretId());
  const port = await freePort();
  const agent = startAgentWith(dir, `
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
api_proxy { use_auto_auth_token = ${useAutoAuthToken} }
listener "tcp" {
  address = "127.0.0.1:${port}"
  ${listenerExtra}
}
`);
  await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent);
  await waitFor('the listener', () => /API proxy listening/.test(agent.stderr()), 15_000, agent);
  return { agent, url: `${/tls_disable = true/.test(listenerExtra) ? 'http' : 'https'}://127.0.0.1:${port}`, dir };
}

async function portIsFree(port: number): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

describe('coffer agent: API proxy', () => {
  it("runs the AppRole example configuration from Vault's documentation as written", async (t) => {
    // From the "Auto-auth method: AppRole" page (developer.hashicorp.com/vault/docs/agent/autoauth/methods/approle,
    // openbao.org/docs/agent-and-proxy/autoauth/methods/approle), with its two template stanzas
    // and the templates of the "Vault Agent templates" page, their /etc/vault/ paths made
    // relative. The server's address comes from VAULT_ADDR, which beats vault.address as in Vault Agent.
    const example = `pid_file = "./pidfile"

vault {
  address = "https://127.0.0.1:8200"
}

auto_auth {
  method {
    type      = "approle"

    config = {
      role_id_file_path = "roleid"
      secret_id_file_path = "secretid"
      remove_secret_id_file_after_reading = false
    }
  }

  sink {
    type = "file"
    wrap_ttl = "30m"
    config = {
      path = "sink_file_wrapped_1.txt"
    }
  }

  sink {
    type = "file"
    config = {
      path = "sink_file_unwrapped_2.txt"
    }
  }
}


template {
  source      = "server.key.ctmpl"
  destination = "server.key"
}

template {
  source      = "server.crt.ctmpl"
  destination = "server.crt"
}

api_proxy {
  use_auto_auth_token = true
}

listener "tcp" {
  address = "127.0.0.1:8100"
  tls_disable = true
}
`;
    await withPortLock(8100, async () => {
      let config = example;
      let port = 8100;
      if (!(await portIsFree(8100))) {
        port = await freePort();
        config = example.replace('127.0.0.1:8100', `127.0.0.1:${port}`);
        t.diagnostic(`port 8100 is taken on this machine; the listener moved to ${port}`);
      }
      const dir = tempDir();
      writeFileSync(join(dir, 'roleid'), roleId);
      writeFileSync(join(dir, 'secretid'), await secretId());
      writeFileSync(join(dir, 'agent.hcl'), config);
      assert.equal((await root('POST', 'sys/mounts/pki', { type: 'pki' })).status, 204);
      assert.equal((await root('POST', 'pki/root/generate/internal', { common_name: 'example.com', ttl: '720h' })).status, 200);
      assert.equal((await root('POST', 'pki/roles/example-dot-com', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h' })).status, 200);
      const policy = 'path "secret/data/app/*" { capabilities = ["read"] }\npath "pki/issue/example-dot-com" { capabilities = ["update"] }';
      assert.equal((await root('PUT', 'sys/policies/acl/app', { policy })).status, 204);
      writeFileSync(join(dir, 'server.key.ctmpl'), '{{ with secret "pki/issue/example-dot-com" "common_name=foo.example.com" "ttl=24h" }}\n{{ .Data.private_key }}\n{{ end }}\n');
      writeFileSync(join(dir, 'server.crt.ctmpl'), '{{ with secret "pki/issue/example-dot-com" "common_name=foo.example.com" "ttl=24h" }}\n{{ .Data.certificate }}\n{{ .Data.issuing_ca }}\n{{ end }}\n');
      const agent = spawnAgent(['-config=agent.hcl'], { VAULT_ADDR: server.address }, dir);
      const token = (await waitFor('the plain sink', () => readIfThere(join(dir, 'sink_file_unwrapped_2.txt')), 15_000, agent)).trim();
      const wrapped = JSON.parse(await waitFor('the wrapped sink', () => readIfThere(join(dir, 'sink_file_wrapped_1.txt')), 15_000, agent));
      assert.equal(wrapped.ttl, 1800);
      assert.equal((await root('POST', 'sys/wrapping/unwrap', undefined, wrapped.token)).json.data.token, token);
      assert.equal(readFileSync(join(dir, 'pidfile'), 'utf8').trim(), String(agent.pid));
      assert.ok(existsSync(join(dir, 'secretid')), 'remove_secret_id_file_after_reading = false keeps the file');
      await waitFor('the listener', () => /API proxy listening/.test(agent.stderr()), 15_000, agent);

      // Both templates make the same call, so they share one certificate: the key matches it.
      const crt = await waitFor('server.crt', () => readIfThere(join(dir, 'server.crt'))?.includes('BEGIN CERTIFICATE') && readIfThere(join(dir, 'server.crt')), 15_000, agent);
      const key = await waitFor('server.key', () => readIfThere(join(dir, 'server.key'))?.includes('PRIVATE KEY') && readIfThere(join(dir, 'server.key')), 15_000, agent);
      const leaf = new X509Certificate(crt.slice(crt.indexOf('-----BEGIN')));
      assert.match(leaf.subject, /CN=foo\.example\.com/);
      assert.ok(leaf.checkPrivateKey(createPrivateKey(key.trim())), 'server.key is the key of server.crt');

      // An application with no token of its own, as a user would try it.
      const { stdout } = await run('curl', ['-sS', `http://127.0.0.1:${port}/v1/secret/data/app/db`]);
      assert.equal(JSON.parse(stdout).data.data.password, 'hunter2');
      assert.deepEqual(await agent.kill('SIGINT'), { code: 0, signal: null }, agent.stderr());
    });
  });

  it('keeps a token the request brings with use_auto_auth_token = true, and replaces it with "force"', async () => {
    const weak = (await root('POST', 'auth/token/create', { policies: ['default'] })).json.auth.client_token as string;
    const plain = await proxyAgent('true');
    const own = await httpRequest(`${plain.url}/v1/secret/data/app/db`, { headers: { 'X-Vault-Token': weak } });
    assert.equal(own.status, 403, 'the request went with its own (weak) token');
    const bearer = await httpRequest(`${plain.url}/v1/secret/data/app/db`, { headers: { Authorization: `Bearer ${weak}` } });
    assert.equal(bearer.status, 403, 'a Bearer token counts as the request’s own');
    assert.equal((await httpRequest(`${plain.url}/v1/secret/data/app/db`)).json.data.data.password, 'hunter2');

    const forced = await proxyAgent('"force"');
    const res = await httpRequest(`${forced.url}/v1/secret/data/app/db`, { headers: { 'X-Vault-Token': weak } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.data.data.password, 'hunter2');

    const none = await proxyAgent('false');
    assert.equal((await httpRequest(`${none.url}/v1/secret/data/app/db`)).status, 403, 'without use_auto_auth_token no token is added');
  });

  it('passes LIST, query strings and large streamed bodies through, both ways', async () => {
    const p = await proxyAgent('true');
    // LIST as hvac and node-vault send it.
    const listed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${p.url}/v1/secret/metadata/app`, { method: 'LIST', headers: { 'X-Vault-Token': 'root' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(listed.status, 200, listed.body);
    assert.deepEqual(JSON.parse(listed.body).data.keys.sort(), ['db', 'other']);
    assert.equal((await httpRequest(`${p.url}/v1/secret/metadata/app?list=true`, { headers: { 'X-Vault-Token': 'root' } })).json.data.keys.length, 2);

    const big = 'x'.repeat(3 * 1024 * 1024);
    const put = await httpRequest(`${p.url}/v1/secret/data/big`, { method: 'POST', body: { data: { big } }, headers: { 'X-Vault-Token': 'root' }, chunked: true });
    assert.equal(put.status, 200, put.text);
    const got = await httpRequest(`${p.url}/v1/secret/data/big`, { headers: { 'X-Vault-Token': 'root' } });
    assert.equal(got.json.data.data.big.length, big.length);
  });

  it('serves TLS when the listener has a certificate and key', async () => {
    const cert = selfSignedCert();
    const p = await proxyAgent('true', `tls_cert_file = "${cert.certFile}"\n  tls_key_file = "${cert.keyFile}"`);
    assert.match(p.url, /^https:/);
    const { stdout } = await run('curl', ['-sS', '--cacert', cert.certFile, `${p.url}/v1/secret/data/app/db`]);
    assert.equal(JSON.parse(stdout).data.data.password, 'hunter2');
  });

  it('answers 502 with a clear message when the server cannot be reached, after retrying', async () => {
    const dir = tempDir();
    const dead = await freePort();
    const port = await freePort();
    const agent = startAgentWith(dir, `
vault {
  address = "http://127.0.0.1:${dead}"
  retry { num_retries = 1 }
}
api_proxy {}
listener "tcp" {
  address = "127.0.0.1:${port}"
  tls_disable = true
}
`);
    await waitFor('the listener', () => /API proxy listening/.test(agent.stderr()), 15_000, agent);
    const started = Date.now();
    const res = await httpRequest(`http://127.0.0.1:${port}/v1/sys/health`);
    assert.equal(res.status, 502);
    assert.ok(Date.now() - started >= 1_000, 'one retry (vault.retry.num_retries = 1) came first');
    assert.match(res.json.errors[0], /could not reach the server .*ECONNREFUSED/);
    assert.deepEqual(await agent.kill('SIGTERM'), { code: 0, signal: null });
  });
});
