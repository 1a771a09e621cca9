/**
 * Auto-unseal through transit, with two real servers: the first (a dev server) provides the
 * transit key; the second, on sqlite with `seal "transit"` in its config, is initialized with
 * recovery keys, restarts and unseals itself, stays sealed (saying why) while the transit
 * server cannot be reached, and unseals on its own once it can. The "network" between them
 * is a TCP relay the test opens and closes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from './cli/run-cli.js';
import { freePort, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

/** A TCP relay to `target`; `close()` cuts every connection and refuses new ones, `open()` resumes. */
function relay(targetPort: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    async open(port: number) {
      server = createServer((inbound) => {
        const outbound = connect(targetPort, '127.0.0.1');
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

async function json(server: ProcessServer, method: string, path: string, token?: string, body?: unknown) {
  const res = await server.request(`/v1/${path}`, { method, headers: token ? { 'x-vault-token': token } : {}, body });
  return { status: res.status, body: (res.json ?? {}) as Record<string, any> };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('auto-unseal through another server\'s transit engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-auto-unseal-'));
  let kms: ProcessServer;
  let link: ReturnType<typeof relay>;
  let linkPort: number;
  let configPath: string;
  let address: string;
  let server: ProcessServer | undefined;

  before(async () => {
    kms = await startProcessServer({ dev: {} });
    const root = kms.rootToken!;
    assert.equal((await json(kms, 'POST', 'sys/mounts/transit', root, { type: 'transit' })).status, 204);
    assert.equal((await json(kms, 'POST', 'transit/keys/autounseal', root, {})).status < 300, true);
    await json(kms, 'PUT', 'sys/policies/acl/autounseal', root, {
      policy: 'path "transit/encrypt/autounseal" { capabilities = ["update"] }\npath "transit/decrypt/autounseal" { capabilities = ["update"] }',
    });
    const token = (await json(kms, 'POST', 'auth/token/create', root, { policies: ['autounseal'], period: '24h' })).body.auth.client_token as string;
    sealToken = token;

    link = relay(Number(new URL(kms.address).port));
    linkPort = await freePort();
    await link.open(linkPort);
    const port = await freePort();
    address = `http://127.0.0.1:${port}`;
    configPath = join(dir, 'coffer.hcl');
    writeFileSync(
      configPath,
      `storage "sqlite" {
  path = ${JSON.stringify(join(dir, 'coffer.db'))}
}
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
seal "transit" {
  address  = "http://127.0.0.1:${linkPort}"
  token    = "${token}"
  key_name = "autounseal"
}
log_level = "info"
`,
    );
  });
  after(async () => {
    await link.close();
    await stopAllProcessServers();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = () => startProcessServer({ args: [`-config=${configPath}`], address });
  let sealToken = '';
  const status = async () => (await json(server!, 'GET', 'sys/seal-status')).body;
  let rootToken = '';
  let recoveryKeys: string[] = [];

  it('initializes with recovery keys and comes up unsealed', async () => {
    server = await start();
    const before = await status();
    assert.deepEqual([before.type, before.initialized, before.sealed, before.recovery_seal], ['transit', false, true, true]);
    // `coffer operator init` sees the auto-unseal seal and asks for recovery shares.
    const init = await runCli(['operator', 'init', '-recovery-shares=3', '-recovery-threshold=2', '-format=json'], { env: { COFFER_ADDR: address, HOME: dir } });
    assert.equal(init.code, 0, init.stderr);
    const answer = JSON.parse(init.stdout) as Record<string, any>;
    assert.deepEqual(answer.unseal_keys_b64, []);
    assert.equal(answer.recovery_keys_b64.length, 3);
    assert.deepEqual([answer.recovery_keys_shares, answer.recovery_keys_threshold], [3, 2]);
    ({ root_token: rootToken, recovery_keys_b64: recoveryKeys } = answer as { root_token: string; recovery_keys_b64: string[] });
    const after = await status();
    assert.deepEqual([after.sealed, after.t, after.n], [false, 2, 3]);
    assert.equal((await json(server, 'POST', 'sys/mounts/kv', rootToken, { type: 'kv' })).status, 204);
    assert.equal((await json(server, 'PUT', 'kv/app', rootToken, { password: 'kept-across-restarts' })).status, 204);
  });

  it('unseals itself after a restart, with no key typed', async () => {
    await server!.stop();
    server = await start();
    await waitUntil('the restarted server to unseal itself', async () => (await status()).sealed === false, 10_000);
    assert.equal((await json(server, 'GET', 'kv/app', rootToken)).body.data.password, 'kept-across-restarts');
  });

  it('unseals itself with the seal set up from the environment (VAULT_SEAL_TYPE=transit) instead of the file', async () => {
    await server!.stop();
    // The same file without its seal block; Vault's variables say the rest.
    const bare = readFileSync(configPath, 'utf8').replace(/seal "transit" \{[^}]*\}\n/, '');
    assert.doesNotMatch(bare, /seal "/);
    const envConfig = join(dir, 'coffer-env.hcl');
    writeFileSync(envConfig, bare);
    const env = { ...process.env, VAULT_SEAL_TYPE: 'transit', VAULT_ADDR: `http://127.0.0.1:${linkPort}`, VAULT_TOKEN: sealToken, VAULT_TRANSIT_SEAL_KEY_NAME: 'autounseal' };
    server = await startProcessServer({ args: [`-config=${envConfig}`], address, env });
    await waitUntil('the server to unseal itself from the environment', async () => (await status()).sealed === false, 10_000);
    assert.equal((await status()).type, 'transit');
    assert.equal((await json(server, 'GET', 'kv/app', rootToken)).body.data.password, 'kept-across-restarts');
    await server.stop();
    server = await start();
    await waitUntil('the server to unseal itself from the file again', async () => (await status()).sealed === false, 10_000);
  });

  it('stays sealed, and says why, while the transit server cannot be reached; unseals once it can', async () => {
    await server!.stop();
    await link.close();
    server = await start();
    await sleep(1500);
    assert.equal((await status()).sealed, true);
    assert.match(server.stdout() + server.stderr(), /auto-unseal failed, the server stays sealed; retrying in \d+s: .*could not decrypt the unseal key/);
    assert.equal((await json(server, 'GET', 'kv/app', rootToken)).status, 503);
    // Recovery keys authorize an unseal, but cannot perform one without the transit key.
    await json(server, 'PUT', 'sys/unseal', undefined, { key: recoveryKeys[0] });
    const refused = await json(server, 'PUT', 'sys/unseal', undefined, { key: recoveryKeys[1] });
    assert.equal(refused.status, 502);
    assert.match(JSON.stringify(refused.body), /transit seal .* could not decrypt/);
    assert.equal((await status()).sealed, true);

    await link.open(linkPort);
    await waitUntil('the server to unseal itself once transit is back', async () => (await status()).sealed === false, 20_000);
    assert.equal((await json(server, 'GET', 'kv/app', rootToken)).body.data.password, 'kept-across-restarts');
  });

  it('takes recovery keys for generate-root and for a rekey of the recovery keys, and for an unseal after a manual seal', async () => {
    // A default listener serves these to a token with sudo only; the recovery keys are still what authorizes them.
    const attempt = (await json(server!, 'PUT', 'sys/generate-root/attempt', rootToken, {})).body;
    await json(server!, 'PUT', 'sys/generate-root/update', rootToken, { key: recoveryKeys[0], nonce: attempt.nonce });
    const done = (await json(server!, 'PUT', 'sys/generate-root/update', rootToken, { key: recoveryKeys[2], nonce: attempt.nonce })).body;
    assert.equal(done.complete, true);
    assert.ok(done.encoded_token);

    assert.equal((await json(server!, 'PUT', 'sys/rekey/init', rootToken, { secret_shares: 4, secret_threshold: 3 })).status, 400);
    const rekey = (await json(server!, 'PUT', 'sys/rekey-recovery-key/init', rootToken, { secret_shares: 4, secret_threshold: 3 })).body;
    await json(server!, 'PUT', 'sys/rekey-recovery-key/update', rootToken, { key: recoveryKeys[1], nonce: rekey.nonce });
    const rekeyed = (await json(server!, 'PUT', 'sys/rekey-recovery-key/update', rootToken, { key: recoveryKeys[2], nonce: rekey.nonce })).body;
    assert.equal(rekeyed.complete, true);
    assert.equal(rekeyed.keys_base64.length, 4);

    assert.equal((await json(server!, 'PUT', 'sys/seal', rootToken)).status, 204);
    assert.equal((await status()).sealed, true);
    for (const key of (rekeyed.keys_base64 as string[]).slice(0, 3)) await json(server!, 'PUT', 'sys/unseal', undefined, { key });
    assert.equal((await status()).sealed, false);
    recoveryKeys = rekeyed.keys_base64;
  });

  it('rekeys the recovery keys with require_verification: the old ones authorize until the new ones are verified', async () => {
    const call = async (method: string, path: string, body?: unknown) => (await json(server!, method, path, rootToken, body)).body;
    const generateRoot = async (keys: string[]) => {
      const { nonce } = (await call('PUT', 'sys/generate-root-token/attempt', {})).data;
      let last: Record<string, any> = {};
      for (const key of keys) last = await call('PUT', 'sys/generate-root-token/update', { key, nonce });
      await call('DELETE', 'sys/generate-root-token/attempt');
      return last.data?.complete === true;
    };
    const init = await call('PUT', 'sys/rekey-recovery-key/init', { secret_shares: 3, secret_threshold: 2, require_verification: true });
    let done: Record<string, any> = {};
    for (const key of recoveryKeys.slice(1, 4)) done = await call('PUT', 'sys/rekey-recovery-key/update', { key, nonce: init.nonce });
    assert.deepEqual([done.complete, done.verification_required, done.keys_base64.length], [true, true, 3]);
    const fresh = done.keys_base64 as string[];
    assert.equal(await generateRoot(fresh), false, 'not yet the recovery keys');
    assert.equal(await generateRoot(recoveryKeys.slice(0, 3)), true, 'the old ones still are');

    const { nonce } = await call('GET', 'sys/rekey-recovery-key/verify');
    await call('PUT', 'sys/rekey-recovery-key/verify', { key: fresh[2], nonce });
    assert.deepEqual(await call('PUT', 'sys/rekey-recovery-key/verify', { key: fresh[0], nonce }), { nonce, complete: true });
    assert.deepEqual([(await status()).t, (await status()).n], [2, 3]);
    assert.equal(await generateRoot(recoveryKeys.slice(0, 3)), false, 'the old ones no longer are');
    assert.equal(await generateRoot(fresh.slice(1, 3)), true);
  });
});
