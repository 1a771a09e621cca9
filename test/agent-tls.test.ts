/**
 * `coffer agent` against a server that speaks TLS: vault.ca_cert (or VAULT_CACERT) to trust
 * its certificate, and a clear, retried failure when the certificate is not trusted.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readIfThere, startAgentWith, stopAllAgents, tempDir, waitFor } from './helpers/agent.js';
import { client, initialize, unseal } from './helpers/durable-server.js';
import { freePort, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';
import { selfSignedCert, type TestCertificate } from './helpers/tls-cert.js';

let server: ProcessServer;
let cert: TestCertificate;
let token: string;

before(async () => {
  const dir = tempDir();
  cert = selfSignedCert();
  const port = await freePort();
  writeFileSync(join(dir, 'server.hcl'), `
storage "inmem" {}
listener "tcp" {
  address = "127.0.0.1:${port}"
  tls_cert_file = "${cert.certFile}"
  tls_key_file = "${cert.keyFile}"
}
log_level = "warn"
`);
  server = await startProcessServer({ args: [`-config=${join(dir, 'server.hcl')}`], address: `https://127.0.0.1:${port}`, ca: cert.cert });
  const { keys, rootToken } = await initialize(server, 1, 1);
  await unseal(server, keys);
  token = (await client(server, rootToken)('POST', 'auth/token/create', { policies: ['default'], ttl: '1h' })).json.auth.client_token;
});

after(async () => {
  await stopAllAgents();
  await stopAllProcessServers();
});

const config = (dir: string, vault: string) => `
vault {
  address = "${server.address}"
  ${vault}
}
auto_auth {
  method "token_file" {
    config = { token_file_path = "${join(dir, 'vault-token')}" }
    min_backoff = "200ms"
  }
  sink "file" {
    config = { path = "${join(dir, 'token')}" }
    wrap_ttl = "1m"
  }
}
`;

describe('coffer agent: TLS to the server', () => {
  it('trusts the server with vault.ca_cert, and with VAULT_CACERT', async () => {
    for (const [vault, env] of [[`ca_cert = "${cert.certFile}"`, {}], ['', { VAULT_CACERT: cert.certFile }]] as const) {
      const dir = tempDir();
      writeFileSync(join(dir, 'vault-token'), token);
      const agent = startAgentWith(dir, config(dir, vault), env);
      // A wrapped sink needs a request over TLS beyond the token lookup.
      const info = JSON.parse(await waitFor('the sink', () => readIfThere(join(dir, 'token')), 15_000, agent));
      assert.equal(info.creation_path, 'sys/wrapping/wrap');
      await agent.kill('SIGTERM');
    }
  });

  it('retries and says why when the certificate is not trusted', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vault-token'), token);
    const agent = startAgentWith(dir, config(dir, ''));
    await waitFor('the failure in the log', () => /login failed; will retry error=.*self.signed certificate/i.test(agent.stderr()), 15_000, agent);
    assert.equal(readIfThere(join(dir, 'token')), undefined);
    assert.ok(!agent.stderr().includes(token));
    await agent.kill('SIGTERM');
  });
});
