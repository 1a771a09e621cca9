import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

const SECRET = 'cli-wrapped-pw';

describe('coffer -wrap-ttl and coffer unwrap', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
    assert.equal((await t.root.raw('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } })).status, 204);
    await t.root.write('kv1/app', { password: SECRET, user: 'svc' });
    await t.root.write('secret/data/app', { data: { password: SECRET } });
  });
  after(() => t.close());

  /** The wrapping token of a command run with -field=wrapping_token. */
  async function wrappingToken(args: string[]): Promise<string> {
    const r = await cli(args);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^hvs\.\S+$/);
    return r.stdout;
  }

  it('prints the wrapping token instead of the secret', async () => {
    const r = await cli(['read', '-wrap-ttl=5m', 'kv1/app']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Key\s+Value\n---\s+-----\nwrapping_token:\s+hvs\.\S+\nwrapping_accessor:\s+\S+\nwrapping_token_ttl:\s+5m\nwrapping_token_creation_time:\s+\S+\nwrapping_token_creation_path:\s+kv1\/app\n$/);
    assert.ok(!r.stdout.includes(SECRET));
  });

  it('unwraps a token given as an argument, once, as read would have printed it', async () => {
    const token = await wrappingToken(['read', '-wrap-ttl=1m', '-field=wrapping_token', 'kv1/app']);
    const r = await cli(['unwrap', token]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Key\s+Value\n---\s+-----\n(refresh_interval\s+\S+\n)?password\s+cli-wrapped-pw\nuser\s+svc\n$/);
    const again = await cli(['unwrap', token]);
    assert.equal(again.code, 1, show(again));
    assert.match(again.stderr, /^Error unwrapping: Error making API request\./);
    assert.match(again.stderr, /wrapping token is not valid or does not exist/);
  });

  it('unwraps the current token when no argument is given, in json, yaml and -field', async () => {
    const tokens = await Promise.all([1, 2, 3].map(() => wrappingToken(['read', '-wrap-ttl=1m', '-field=wrapping_token', 'kv1/app'])));
    const [json, yaml, field] = await Promise.all([
      cli(['unwrap', '-format=json'], { env: { COFFER_TOKEN: tokens[0] } }),
      cli(['unwrap', '-format=yaml'], { env: { COFFER_TOKEN: tokens[1] } }),
      cli(['unwrap', '-field=password'], { env: { COFFER_TOKEN: tokens[2] } }),
    ]);
    for (const r of [json, yaml, field]) assert.equal(r.code, 0, show(r));
    assert.deepEqual(JSON.parse(json.stdout).data, { password: SECRET, user: 'svc' });
    assert.match(yaml.stdout, /^data:\n {2}password: cli-wrapped-pw\n {2}user: svc\n/);
    assert.equal(field.stdout, SECRET);
  });

  it('wraps kv get (the mount probe itself stays unwrapped) and kv list', async () => {
    const shown = await cli(['kv', 'get', '-wrap-ttl=2m', 'secret/app']);
    assert.equal(shown.code, 0, show(shown));
    assert.match(shown.stdout, /wrapping_token_creation_path:\s+secret\/data\/app\n/);
    assert.ok(!shown.stdout.includes(SECRET));
    const token = await wrappingToken(['kv', 'get', '-wrap-ttl=2m', '-field=wrapping_token', 'secret/app']);
    const opened = await cli(['unwrap', '-format=json', token]);
    assert.equal(opened.code, 0, show(opened));
    assert.equal(JSON.parse(opened.stdout).data.data.password, SECRET);

    const listed = await cli(['kv', 'list', '-wrap-ttl=1m', '-format=json', 'kv1']);
    assert.equal(listed.code, 0, show(listed));
    const list = await cli(['unwrap', JSON.parse(listed.stdout).wrap_info.token]);
    assert.equal(list.code, 0, show(list));
    assert.equal(list.stdout, 'Keys\n----\napp\n');
  });

  it('wraps a token create: the wrapped accessor is the new token’s', async () => {
    const created = await cli(['token', 'create', '-wrap-ttl=2m', '-policy=default', '-format=json']);
    assert.equal(created.code, 0, show(created));
    const wrapped = JSON.parse(created.stdout);
    assert.equal(wrapped.auth, undefined);
    assert.equal(wrapped.wrap_info.ttl, 120);
    const opened = await cli(['unwrap', '-format=json', wrapped.wrap_info.token]);
    assert.equal(opened.code, 0, show(opened));
    assert.equal(JSON.parse(opened.stdout).auth.accessor, wrapped.wrap_info.wrapped_accessor);
  });

  it('takes the wrap TTL from VAULT_WRAP_TTL, and writes through sys/wrapping/wrap', async () => {
    const r = await cli(['write', '-format=json', 'sys/wrapping/wrap', 'note=hello'], { env: { VAULT_WRAP_TTL: '90s' } });
    assert.equal(r.code, 0, show(r));
    const info = JSON.parse(r.stdout).wrap_info;
    assert.equal(info.ttl, 90);
    const opened = await cli(['unwrap', '-field=note', info.token]);
    assert.equal(opened.stdout, 'hello');
  });

  it('refuses a bad wrap TTL from the flag, the environment or the server', async () => {
    const [flag, env, server] = await Promise.all([
      cli(['read', '-wrap-ttl=abc', 'kv1/app']),
      cli(['read', 'kv1/app'], { env: { VAULT_WRAP_TTL: 'soon' } }),
      cli(['read', '-wrap-ttl=800h', 'kv1/app']),
    ]);
    assert.equal(flag.code, 2, show(flag));
    assert.match(flag.stderr, /invalid value "abc" for -wrap-ttl/);
    assert.equal(env.code, 1, show(env));
    assert.match(env.stderr, /invalid wrap TTL "soon"/);
    assert.equal(server.code, 1, show(server));
    assert.match(server.stderr, /Code: 400[\s\S]*wrapping TTL of 2880000s is greater than the maximum/);
  });

  it('refuses unwrap usage mistakes and tokens that are not wrapping tokens', async () => {
    const many = await cli(['unwrap', 'a', 'b']);
    assert.equal(many.code, 2, show(many));
    assert.match(many.stderr, /Too many arguments/);
    const notWrapping = await cli(['unwrap', t.rootToken]);
    assert.equal(notWrapping.code, 1, show(notWrapping));
    assert.match(notWrapping.stderr, /wrapping token is not valid or does not exist/);
    const help = await cli(['unwrap', '-help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: coffer unwrap \[options\] \[TOKEN\]/);
    assert.match(help.stdout, /-wrap-ttl=<duration>/);
  });
});
