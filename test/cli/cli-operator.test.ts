import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiClient } from '../../src/api/client.js';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

/** A token whose only policy is `policy`. */
async function sudoToken(address: string, rootToken: string, policy: string): Promise<string> {
  const root = createApiClient({ address, token: rootToken });
  assert.equal((await root.raw('PUT', 'sys/policy/operator', { policy })).status, 204);
  return ((await root.write('auth/token/create', { policies: ['operator'] }))!.auth as { client_token: string }).client_token;
}

const uninitialized = () => startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, undefined, silentLogger);

/** `Key 1: abc` / `Unseal Key 1: abc` lines → the keys. */
const keysIn = (text: string, label: string) => [...text.matchAll(new RegExp(`^${label} \\d+: (\\S+)$`, 'gm'))].map((m) => m[1]!);
/** The value of one row of a two-column table. */
const row = (text: string, key: string) => new RegExp(`^${key}\\s{2,}(.*)$`, 'm').exec(text)?.[1];

describe('coffer operator: init, unseal, seal, rekey, rotate and generate-root', () => {
  let server: RunningServer;
  let cli: ReturnType<typeof cliWith>;
  let keys: string[] = [];
  let rootToken = '';
  let newKeys: string[] = [];
  // The root token for rekey; for generate-root a token with sudo on sys/generate-root-token/*
  // only, so its success shows the command took the authenticated paths.
  const asRoot = (args: string[], opts: { stdin?: string } = {}) => cli(args, { ...opts, env: { COFFER_TOKEN: rootToken } });
  let operatorToken = '';
  const asOperator = (args: string[], opts: { stdin?: string } = {}) => cli(args, { ...opts, env: { COFFER_TOKEN: operatorToken } });

  before(async () => {
    server = await uninitialized();
    cli = cliWith({ COFFER_ADDR: server.address, HOME: tempDir() });
  });
  after(() => server.close());

  it('reports an uninitialized server as sealed: status exits 2, init -status exits 2', async () => {
    const [status, initStatus] = await Promise.all([cli(['status']), cli(['operator', 'init', '-status'])]);
    assert.equal(status.code, 2, show(status));
    assert.equal(row(status.stdout, 'Initialized'), 'false');
    assert.equal(row(status.stdout, 'Sealed'), 'true');
    assert.equal(initStatus.code, 2, show(initStatus));
    assert.equal(initStatus.stdout, 'Coffer is not initialized\n');
  });

  it('refuses a threshold above the share count as a usage error (exit 2)', async () => {
    const r = await cli(['operator', 'init', '-key-shares=2', '-key-threshold=3']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /-key-threshold cannot be larger than -key-shares/);
  });

  it('initializes: unseal keys, the root token and the warning', async () => {
    const r = await cli(['operator', 'init', '-n', '3', '-t=2']);
    assert.equal(r.code, 0, show(r));
    keys = keysIn(r.stdout, 'Unseal Key');
    assert.equal(keys.length, 3);
    rootToken = /^Initial Root Token: (\S+)$/m.exec(r.stdout)![1]!;
    assert.match(rootToken, /^hvs\./);
    assert.match(r.stdout, /initialized with 3 key shares and a key threshold of 2\./);
    assert.match(r.stdout, /Without at least 2\s+keys\s+to\s+reconstruct\s+the\s+root\s+key/);
    const again = await cli(['operator', 'init']);
    assert.equal(again.code, 1, show(again));
    assert.match(again.stderr, /^Error initializing: Error making API request\.[\s\S]*already initialized/);
  });

  it('submits unseal keys from an argument, a piped line and "-", with progress and -reset', async () => {
    let r = await cli(['operator', 'unseal', keys[0]!]);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'Unseal Progress'), '1/2');
    assert.match(row(r.stdout, 'Unseal Nonce') ?? '', /\S+/);
    r = await cli(['operator', 'unseal', '-reset']);
    assert.equal(row(r.stdout, 'Unseal Progress'), '0/2');
    r = await cli(['operator', 'unseal'], { stdin: `${keys[1]}\n` });
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'Unseal Progress'), '1/2');
    const bad = await cli(['operator', 'unseal', 'not-a-key']);
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^Error unsealing: Error making API request\.[\s\S]*Code: 400/);
    r = await cli(['operator', 'unseal', '-format=json', '-'], { stdin: `${keys[2]}\n` });
    assert.equal(r.code, 0, show(r));
    const body = JSON.parse(r.stdout);
    assert.equal(body.sealed, false);
    assert.equal(body.ha_enabled, false);
    const status = await cli(['status']);
    assert.equal(status.code, 0, show(status));
    const empty = await cli(['operator', 'unseal']);
    assert.equal(empty.code, 1, show(empty));
    assert.match(empty.stderr, /no unseal key was given/);
  });

  it('shows the key status and rotates the barrier key', async () => {
    const authed = { env: { COFFER_TOKEN: rootToken } };
    operatorToken = await sudoToken(server.address, rootToken, 'path "sys/generate-root-token/*" { capabilities = ["read", "update", "delete", "sudo"] }');
    const before = await cli(['operator', 'key-status'], authed);
    assert.equal(before.code, 0, show(before));
    assert.equal(row(before.stdout, 'Key Term'), '1');
    assert.match(row(before.stdout, 'Install Time') ?? '', /^\d\d [A-Z][a-z]{2} \d\d \d\d:\d\d UTC$/);
    const rotated = await cli(['operator', 'rotate'], authed);
    assert.equal(rotated.code, 0, show(rotated));
    assert.match(rotated.stdout, /^Success! Rotated key\n\nKey Term\s+2\n/);
    const json = await cli(['operator', 'key-status', '-format=json'], authed);
    assert.equal(JSON.parse(json.stdout).term, 2);
    const denied = await cli(['operator', 'rotate']);
    assert.equal(denied.code, 1, show(denied));
    assert.match(denied.stderr, /^Error rotating key: [\s\S]*Code: 403/);
  });

  it('refuses rekey and generate-root without a token, naming the listener setting', async () => {
    const rekey = await cli(['operator', 'rekey', '-init', '-key-shares=4', '-key-threshold=2']);
    assert.equal(rekey.code, 1, show(rekey));
    assert.match(rekey.stderr, /Code: 403[\s\S]*disable_unauthed_rekey_endpoints/);
    const cancel = await cli(['operator', 'rekey', '-cancel']);
    assert.match(cancel.stderr, /disable_unauthed_rekey_endpoints/);
    const gen = await cli(['operator', 'generate-root', '-init']);
    assert.equal(gen.code, 1, show(gen));
    assert.match(gen.stderr, /Code: 403[\s\S]*disable_unauthed_generate_root_endpoints/);
  });

  it('rekeys: -init, a key with -nonce, a key on stdin, then the new shares', async () => {
    let r = await asRoot(['operator', 'rekey', '-status']);
    assert.equal(row(r.stdout, 'Started'), 'false');
    r = await asRoot(['operator', 'rekey', keys[0]!]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /No rekey is in progress/);
    r = await asRoot(['operator', 'rekey', '-init', '-key-shares=4', '-key-threshold=2']);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'Started'), 'true');
    assert.equal(row(r.stdout, 'Rekey Progress'), '0/2');
    assert.equal(row(r.stdout, 'New Shares'), '4');
    const nonce = row(r.stdout, 'Nonce')!;
    const noNonce = await asRoot(['operator', 'rekey', keys[0]!]);
    assert.equal(noNonce.code, 2, show(noNonce));
    assert.match(noNonce.stderr, /Missing nonce value/);
    r = await asRoot(['operator', 'rekey', `-nonce=${nonce}`, keys[0]!]);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'Rekey Progress'), '1/2');
    r = await asRoot(['operator', 'rekey'], { stdin: `${keys[1]}\n` });
    assert.equal(r.code, 0, show(r));
    newKeys = keysIn(r.stdout, 'Key');
    assert.equal(newKeys.length, 4);
    assert.match(r.stdout, new RegExp(`Operation nonce: ${nonce}`));
    assert.match(r.stdout, /rekeyed with 4 key shares and a key threshold of 2\./);
  });

  it('cancels a rekey, and prints JSON status', async () => {
    await asRoot(['operator', 'rekey', '-init', '-key-shares=3', '-key-threshold=2']);
    const cancel = await asRoot(['operator', 'rekey', '-cancel']);
    assert.equal(cancel.code, 0, show(cancel));
    assert.equal(cancel.stdout, 'Success! Canceled rekeying (if it was started)\n');
    const json = JSON.parse((await asRoot(['operator', 'rekey', '-status', '-format=json'])).stdout);
    assert.equal(json.started, false);
  });

  it('generates a root token: -init with an OTP, shares, the encoded token, and -decode', async () => {
    let r = await asOperator(['operator', 'generate-root', '-init']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stderr, /A One-Time-Password has been generated for you/);
    const otp = row(r.stdout, 'OTP')!;
    const nonce = row(r.stdout, 'Nonce')!;
    assert.equal(otp.length, Number(row(r.stdout, 'OTP Length')));
    assert.equal(row(r.stdout, 'Progress'), '0/2');

    const status = await asOperator(['operator', 'generate-root', '-status', '-format=json']);
    assert.equal(JSON.parse(status.stdout).started, true);

    r = await asOperator(['operator', 'generate-root', `-nonce=${nonce}`, newKeys[0]!]);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'Progress'), '1/2');
    r = await asOperator(['operator', 'generate-root'], { stdin: `${newKeys[1]}\n` });
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'Complete'), 'true');
    const encoded = row(r.stdout, 'Encoded Token')!;

    const [raw, json, fromStdin, wrongOtp, noOtp] = await Promise.all([
      cli(['operator', 'generate-root', `-decode=${encoded}`, `-otp=${otp}`]),
      cli(['operator', 'generate-root', '-format=json', `-decode=${encoded}`, `-otp=${otp}`]),
      cli(['operator', 'generate-root', '-decode=-', `-otp=${otp}`], { stdin: `${encoded}\n` }),
      cli(['operator', 'generate-root', `-decode=${encoded}`, '-otp=short']),
      cli(['operator', 'generate-root', `-decode=${encoded}`]),
    ]);
    assert.equal(raw.code, 0, show(raw));
    const newRoot = raw.stdout;
    assert.match(newRoot, /^hvs\.\S+$/);
    assert.deepEqual(JSON.parse(json.stdout), { token: newRoot });
    assert.equal(fromStdin.stdout, newRoot);
    assert.equal(wrongOtp.code, 1, show(wrongOtp));
    assert.match(wrongOtp.stderr, /Error decoding root token/);
    assert.equal(noOtp.code, 2, show(noOtp));

    const lookup = await cli(['token', 'lookup', '-format=json'], { env: { COFFER_TOKEN: newRoot } });
    assert.equal(lookup.code, 0, show(lookup));
    assert.deepEqual(JSON.parse(lookup.stdout).data.policies, ['root']);
  });

  it('cancels a generation, and generates an OTP locally', async () => {
    const [otp] = await Promise.all([asOperator(['operator', 'generate-root', '-generate-otp'])]);
    assert.match(otp.stdout, /^[A-Za-z0-9]{28}$/);
    let r = await asOperator(['operator', 'generate-root', `-init`, `-otp=${otp.stdout}`]);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'OTP'), undefined, 'an operator-given OTP is not echoed');
    r = await asOperator(['operator', 'generate-root', '-cancel']);
    assert.equal(r.stdout, 'Success! Root token generation canceled (if it was started)\n');
    r = await asOperator(['operator', 'generate-root', newKeys[0]!]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /No root generation is in progress/);
  });

  it('seals (status then exits 2) and unseals with the rekeyed shares', async () => {
    const denied = await cli(['operator', 'seal']);
    assert.equal(denied.code, 1, show(denied));
    const sealed = await cli(['operator', 'seal'], { env: { COFFER_TOKEN: rootToken } });
    assert.equal(sealed.code, 0, show(sealed));
    assert.equal(sealed.stdout, 'Success! Coffer is sealed.\n');
    const status = await cli(['status']);
    assert.equal(status.code, 2, show(status));
    assert.equal(row(status.stdout, 'Sealed'), 'true');
    assert.equal(row(status.stdout, 'Unseal Progress'), '0/2');
    await cli(['operator', 'unseal', newKeys[2]!]);
    const r = await cli(['operator', 'unseal', newKeys[3]!]);
    assert.equal(row(r.stdout, 'Sealed'), 'false');
    assert.equal((await cli(['status'])).code, 0);
  });
});

describe('coffer operator init -format=json', () => {
  let server: RawServer;
  type RawServer = RunningServer;

  before(async () => {
    server = await uninitialized();
  });
  after(() => server.close());

  it('prints the keys and root token as parseable JSON', async () => {
    const cli = cliWith({ COFFER_ADDR: server.address, HOME: tempDir() });
    const r = await cli(['operator', 'init', '-key-shares=2', '-key-threshold=2', '-format=json']);
    assert.equal(r.code, 0, show(r));
    const body = JSON.parse(r.stdout);
    assert.equal(body.unseal_keys_b64.length, 2);
    assert.equal(body.unseal_keys_hex.length, 2);
    assert.equal(body.unseal_shares, 2);
    assert.equal(body.unseal_threshold, 2);
    assert.match(body.root_token, /^hvs\./);
    const status = await cli(['operator', 'init', '-status', '-format=json']);
    assert.equal(status.code, 0);
    assert.deepEqual(JSON.parse(status.stdout), { initialized: true });
  });
});

describe('coffer operator generate-root against a listener with disable_unauthed_generate_root_endpoints = false', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    const listener = { ...devConfig().listeners[0]!, address: '127.0.0.1:0', disableUnauthedGenerateRootEndpoints: false };
    t = await startDevServer({ listeners: [listener] });
    cli = cliWith({ COFFER_ADDR: t.address, HOME: tempDir() });
  });
  after(() => t.close());

  it('generates a root token without any token (the lost root token case)', async () => {
    const init = await cli(['operator', 'generate-root', '-init']);
    assert.equal(init.code, 0, show(init));
    const done = await cli(['operator', 'generate-root', `-nonce=${row(init.stdout, 'Nonce')}`, t.server.dev!.unsealKey]);
    assert.equal(row(done.stdout, 'Complete'), 'true', show(done));
    const token = await cli(['operator', 'generate-root', `-decode=${row(done.stdout, 'Encoded Token')}`, `-otp=${row(init.stdout, 'OTP')}`]);
    assert.match(token.stdout, /^hvs\.\S+$/);
  });

  it('falls back to sys/generate-root when its token has no sudo on sys/generate-root-token', async () => {
    const plain = ((await t.root.write('auth/token/create', { policies: ['default'] }))!.auth as { client_token: string }).client_token;
    const init = await cli(['operator', 'generate-root', '-init'], { env: { COFFER_TOKEN: plain } });
    assert.equal(init.code, 0, show(init));
    const cancel = await cli(['operator', 'generate-root', '-cancel'], { env: { COFFER_TOKEN: plain } });
    assert.equal(cancel.code, 0, show(cancel));
    assert.equal((await t.anon.raw<{ started: boolean }>('GET', 'sys/generate-root/attempt')).body!.started, false);
  });
});
