import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, closedPort, runCli, show, tempDir } from './run-cli.js';

describe('coffer help and usage', () => {
  it('prints the command list and exits 2 with no command, 0 with -help', async () => {
    const [none, help] = await Promise.all([runCli([]), runCli(['-help'])]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: coffer <command>[\s\S]*Common commands:[\s\S]*read[\s\S]*Other commands:[\s\S]*kv/);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /operator\s+Initialize, unseal, seal, rekey and rotate the server/);
  });

  it('exits 2 for an unknown command or subcommand, and prints a group\'s subcommands', async () => {
    const [unknown, unknownSub, group, groupHelp, nested] = await Promise.all([
      runCli(['frobnicate']),
      runCli(['kv', 'frobnicate']),
      runCli(['kv']),
      runCli(['token', '-h']),
      runCli(['kv', 'metadata']),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "frobnicate"/);
    assert.equal(unknownSub.code, 2);
    assert.match(unknownSub.stderr, /Unknown command "kv frobnicate"/);
    assert.equal(group.code, 2);
    assert.match(group.stderr, /Usage: coffer kv <subcommand>[\s\S]*get\s+Read a secret/);
    assert.equal(groupHelp.code, 0);
    assert.match(groupHelp.stdout, /capabilities[\s\S]*create[\s\S]*lookup[\s\S]*renew[\s\S]*revoke/);
    assert.equal(nested.code, 2);
    assert.match(nested.stderr, /Usage: coffer kv metadata <subcommand>/);
  });

  it('keeps "coffer server" wired to the server command, with its own help and usage errors', async () => {
    const [help, usage] = await Promise.all([runCli(['server', '-h']), runCli(['server'])]);
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /^Usage: coffer server \[options\]/);
    assert.equal(usage.code, 2, show(usage));
    assert.match(usage.stderr, /either -config or -dev is required/);
  });

  it('prints a command\'s usage and every option group for -h, -help and --help', async () => {
    const results = await Promise.all([runCli(['read', '-h']), runCli(['kv', 'get', '-help']), runCli(['operator', 'init', '--help'])]);
    for (const r of results) assert.equal(r.code, 0, show(r));
    assert.match(results[0]!.stdout, /^Usage: coffer read \[options\] PATH/);
    assert.match(results[0]!.stdout, /HTTP Options:[\s\S]*-address=<string>[\s\S]*Output Options:[\s\S]*-field=<string>[\s\S]*-format=<string>/);
    assert.match(results[1]!.stdout, /Command Options:[\s\S]*-mount=<string>[\s\S]*-version=<int>/);
    assert.match(results[2]!.stdout, /-key-shares=<int>, -n=<int>[\s\S]*The default\s+is\s+5\./);
  });

  it('exits 2 with the usage for missing arguments, unknown flags, bad flag values and bad formats', async () => {
    const results = await Promise.all([
      runCli(['read']),
      runCli(['read', '-bogus', 'secret/x']),
      runCli(['token', 'create', '-ttl=soon']),
      runCli(['read', '-format=xml', 'secret/x']),
      runCli(['list', 'a', 'b']),
      runCli(['write', 'secret/x', 'novalue']),
    ]);
    for (const r of results) assert.equal(r.code, 2, show(r));
    assert.match(results[0]!.stderr, /Not enough arguments \(expected at least 1, got 0\)[\s\S]*Usage: coffer read/);
    assert.match(results[1]!.stderr, /flag provided but not defined: -bogus/);
    assert.match(results[2]!.stderr, /invalid value "soon" for -ttl/);
    assert.match(results[3]!.stderr, /Invalid output format: xml/);
    assert.match(results[4]!.stderr, /Too many arguments \(expected 1, got 2\)/);
    assert.match(results[5]!.stderr, /format must be key=value/);
    for (const r of results) assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});

describe('coffer status, login and where the token comes from', () => {
  let t: TestServer;
  let home: string;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    home = tempDir();
    cli = cliWith({ COFFER_ADDR: t.address, HOME: home });
  });
  after(() => t.close());

  it('status exits 0 for an unsealed server and prints the seal table', async () => {
    const r = await cli(['status']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Key\s+Value\n---\s+-----\nSeal Type\s+shamir\nInitialized\s+true\nSealed\s+false\nTotal Shares\s+1\nThreshold\s+1\n/);
    assert.match(r.stdout, /HA Enabled\s+false/);
  });

  it('status prints parseable JSON for -format=json and for VAULT_FORMAT=json', async () => {
    const [flag, env] = await Promise.all([cli(['status', '-format=json']), cli(['status'], { env: { VAULT_FORMAT: 'json' } })]);
    for (const r of [flag, env]) {
      assert.equal(r.code, 0, show(r));
      const body = JSON.parse(r.stdout);
      assert.equal(body.sealed, false);
      assert.equal(body.initialized, true);
      assert.equal(body.ha_enabled, false);
    }
  });

  it('sends extra headers given with -header (here, the token itself)', async () => {
    const [withHeader, without] = await Promise.all([
      runCli(['token', 'lookup', '-format=json', `-header=X-Vault-Token=${t.rootToken}`], { env: { COFFER_ADDR: t.address, HOME: tempDir() } }),
      runCli(['token', 'lookup'], { env: { COFFER_ADDR: t.address, HOME: tempDir() } }),
    ]);
    assert.equal(withHeader.code, 0, show(withHeader));
    assert.deepEqual(JSON.parse(withHeader.stdout).data.policies, ['root']);
    assert.equal(without.code, 1, show(without));
  });

  it('status exits 1 with the reason when the server cannot be reached', async () => {
    const port = await closedPort();
    const r = await cli(['status'], { env: { COFFER_ADDR: `http://127.0.0.1:${port}` } });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, new RegExp(`^Error checking seal status: GET http://127\\.0\\.0\\.1:${port}/v1/sys/seal-status: .*ECONNREFUSED`));
  });

  it('uses VAULT_ADDR when COFFER_ADDR is unset, COFFER_ADDR over VAULT_ADDR, and -address over both', async () => {
    const [vault, both, flag] = await Promise.all([
      runCli(['status'], { env: { HOME: home, VAULT_ADDR: t.address } }),
      runCli(['status'], { env: { HOME: home, VAULT_ADDR: 'http://127.0.0.1:1', COFFER_ADDR: t.address } }),
      runCli(['status', `-address=${t.address}`], { env: { HOME: home, COFFER_ADDR: 'http://127.0.0.1:1' } }),
    ]);
    for (const r of [vault, both, flag]) assert.equal(r.code, 0, show(r));
  });

  it('login checks the token, stores it in ~/.coffer-token (0600) and later commands use it', async () => {
    const r = await cli(['login', t.rootToken]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Success! You are now authenticated\./);
    assert.match(r.stdout, /token\s+\S+\ntoken_accessor\s+\S+\ntoken_duration\s+∞\ntoken_renewable\s+false\ntoken_policies\s+\["root"\]/);
    const file = join(home, '.coffer-token');
    assert.equal(readFileSync(file, 'utf8'), t.rootToken);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const lookup = await cli(['token', 'lookup', '-format=json']);
    assert.equal(lookup.code, 0, show(lookup));
    assert.deepEqual(JSON.parse(lookup.stdout).data.policies, ['root']);
  });

  it('login refuses a bad token with the server\'s message and stores nothing', async () => {
    const other = tempDir();
    const r = await runCli(['login', 'hvs.notarealtokennotarealtoken'], { env: { COFFER_ADDR: t.address, HOME: other } });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /Error authenticating: error looking up token: Error making API request\.[\s\S]*Code: 403\. Errors:\n\n\* permission denied/);
    assert.equal(existsSync(join(other, '.coffer-token')), false);
  });

  it('login reads the token from piped stdin when none is given, and from all of stdin for "-"', async () => {
    const [line, dash] = [tempDir(), tempDir()];
    const [a, b] = await Promise.all([
      runCli(['login'], { env: { COFFER_ADDR: t.address, HOME: line }, stdin: `${t.rootToken}\nignored\n` }),
      runCli(['login', '-'], { env: { COFFER_ADDR: t.address, HOME: dash }, stdin: `${t.rootToken}\n` }),
    ]);
    assert.equal(a.code, 0, show(a));
    assert.equal(b.code, 0, show(b));
    assert.equal(readFileSync(join(line, '.coffer-token'), 'utf8'), t.rootToken);
    assert.equal(readFileSync(join(dash, '.coffer-token'), 'utf8'), t.rootToken);
  });

  it('login -token-only prints the bare token and stores nothing; -no-store warns', async () => {
    const other = tempDir();
    const [only, noStore] = await Promise.all([
      runCli(['login', '-token-only', t.rootToken], { env: { COFFER_ADDR: t.address, HOME: other } }),
      runCli(['login', '-no-store', t.rootToken], { env: { COFFER_ADDR: t.address, HOME: other } }),
    ]);
    assert.equal(only.code, 0, show(only));
    assert.equal(only.stdout, t.rootToken);
    assert.equal(noStore.code, 0, show(noStore));
    assert.match(noStore.stderr, /The token was not stored/);
    assert.equal(existsSync(join(other, '.coffer-token')), false);
  });

  it('login warns that COFFER_TOKEN takes precedence when it is set', async () => {
    const r = await runCli(['login', t.rootToken], { env: { COFFER_ADDR: t.address, HOME: tempDir(), COFFER_TOKEN: t.rootToken } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stderr, /WARNING! The COFFER_TOKEN environment variable is set!/);
  });

  it('falls back to ~/.vault-token, and prefers COFFER_TOKEN, then VAULT_TOKEN, over token files', async () => {
    const vaultHome = tempDir();
    writeFileSync(join(vaultHome, '.vault-token'), `${t.rootToken}\n`);
    const badHome = tempDir();
    writeFileSync(join(badHome, '.coffer-token'), 'hvs.notarealtokennotarealtoken');
    const [fromVaultFile, cofferEnv, vaultEnv, noToken] = await Promise.all([
      runCli(['token', 'lookup'], { env: { COFFER_ADDR: t.address, HOME: vaultHome } }),
      runCli(['token', 'lookup'], { env: { COFFER_ADDR: t.address, HOME: badHome, COFFER_TOKEN: t.rootToken, VAULT_TOKEN: 'bad' } }),
      runCli(['token', 'lookup'], { env: { COFFER_ADDR: t.address, HOME: badHome, VAULT_TOKEN: t.rootToken } }),
      runCli(['token', 'lookup'], { env: { COFFER_ADDR: t.address, HOME: badHome } }),
    ]);
    for (const r of [fromVaultFile, cofferEnv, vaultEnv]) {
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /policies\s+\[root\]/);
    }
    assert.equal(noToken.code, 1, show(noToken));
    assert.match(noToken.stderr, /Error looking up token: .*\n[\s\S]*\* permission denied/);
  });
});
