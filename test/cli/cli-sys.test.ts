import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

const row = (text: string, key: string) => new RegExp(`^${key}\\s{2,}(.*)$`, 'm').exec(text)?.[1];

describe('coffer secrets and auth', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
  });
  after(() => t.close());

  it('enables a kv engine with a path, description, TTLs, version and options', async () => {
    const r = await cli(['secrets', 'enable', '-path=team', '-description=Team secrets', '-default-lease-ttl=1h', '-max-lease-ttl=2h', '-version=1', '-options=extra=x', 'kv']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'Success! Enabled the kv secrets engine at: team/\n');
    const mount = (await t.root.read('sys/mounts/team'))!.data as { options: Record<string, string>; config: Record<string, number>; description: string };
    assert.deepEqual(mount.options, { extra: 'x', version: '1' });
    assert.equal(mount.config.default_lease_ttl, 3600);
    assert.equal(mount.config.max_lease_ttl, 7200);
    assert.equal(mount.description, 'Team secrets');
  });

  it('lists engines as a table, a detailed table and JSON', async () => {
    const [table, detailed, json] = await Promise.all([cli(['secrets', 'list']), cli(['secrets', 'list', '-detailed']), cli(['secrets', 'list', '-format=json'])]);
    assert.equal(table.code, 0, show(table));
    assert.match(table.stdout, /^Path\s+Type\s+Accessor\s+Description\n----\s+----\s+--------\s+-----------\n/);
    assert.match(table.stdout, /^team\/\s+kv\s+\S+\s+Team secrets$/m);
    assert.match(detailed.stdout, /^Path\s+Plugin\s+Accessor\s+Default TTL\s+Max TTL\s+Force No Cache/);
    assert.match(detailed.stdout, /^team\/\s+kv\s+\S+\s+3600\s+7200\s+false\s+replicated\s+false\s+false\s+map\[extra:x version:1\]\s+Team secrets/m);
    const mounts = JSON.parse(json.stdout);
    assert.equal(mounts['team/'].type, 'kv');
    assert.ok(mounts['sys/']);
  });

  it('tunes an engine', async () => {
    const r = await cli(['secrets', 'tune', '-default-lease-ttl=30m', '-description=Tuned', 'team']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'Success! Tuned the secrets engine at: team/\n');
    const tune = (await t.root.read('sys/mounts/team/tune'))!.data!;
    assert.equal(tune.default_lease_ttl, 1800);
    assert.equal(tune.description, 'Tuned');
  });

  it('moves an engine with its data, then disables it', async () => {
    await t.root.write('team/app', { k: 'v' });
    const moved = await cli(['secrets', 'move', 'team/', 'team2']);
    assert.equal(moved.code, 0, show(moved));
    assert.match(moved.stdout, /^Success! Moved secrets engine team\/ to: team2\//);
    assert.equal((await cli(['read', '-field=k', 'team2/app'])).stdout, 'v');
    const disabled = await cli(['secrets', 'disable', 'team2/']);
    assert.equal(disabled.code, 0, show(disabled));
    assert.equal(disabled.stdout, 'Success! Disabled the secrets engine (if it existed) at: team2/\n');
    assert.doesNotMatch((await cli(['secrets', 'list'])).stdout, /team/);
  });

  it('exits 1 with the server\'s message for a bad engine, 2 without a type', async () => {
    const [bad, usage] = await Promise.all([cli(['secrets', 'enable', 'no-such-engine']), cli(['secrets', 'enable'])]);
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^Error enabling: no-such-engine: Error making API request\.[\s\S]*\* unknown secrets engine type "no-such-engine"/);
    assert.equal(usage.code, 2, show(usage));
  });

  it('lists auth methods, tunes one, and reports the server\'s errors for enable and disable', async () => {
    const [list, json] = await Promise.all([cli(['auth', 'list']), cli(['auth', 'list', '-format=json'])]);
    assert.equal(list.code, 0, show(list));
    assert.match(list.stdout, /^Path\s+Type\s+Accessor\s+Description\s+Version\n/);
    assert.match(list.stdout, /^token\/\s+token\s+\S+/m);
    assert.equal(JSON.parse(json.stdout)['token/'].type, 'token');
    const detailed = await cli(['auth', 'list', '-detailed']);
    assert.match(detailed.stdout, /^Path\s+Plugin\s+Accessor\s+Default TTL\s+Max TTL\s+Token Type/);
    const tuned = await cli(['auth', 'tune', '-max-lease-ttl=48h', 'token/']);
    assert.equal(tuned.code, 0, show(tuned));
    assert.equal(tuned.stdout, 'Success! Tuned the auth method at: token/\n');
    assert.equal((await t.root.read('sys/auth/token/tune'))!.data!.max_lease_ttl, 172800);
    const bad = await cli(['auth', 'enable', '-path=mine', 'no-such-method']);
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^Error enabling auth method: Error making API request\.\n\nURL: POST .*\/v1\/sys\/auth\/mine\n/);
    const disabled = await cli(['auth', 'disable', 'never-enabled']);
    assert.equal(disabled.code, 0, show(disabled));
    assert.equal(disabled.stdout, 'Success! Disabled the auth method (if it existed) at: never-enabled/\n');
  });
});

describe('coffer policy', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;
  const dir = tempDir();

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
  });
  after(() => t.close());

  it('writes a policy from a file and from stdin, then reads and lists it', async () => {
    const file = join(dir, 'app.hcl');
    writeFileSync(file, 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n');
    const [fromFile, fromStdin] = await Promise.all([
      cli(['policy', 'write', 'app-read', file]),
      cli(['policy', 'write', 'ops', '-'], { stdin: 'path "sys/*" {\n  capabilities = ["sudo", "read"]\n}\n' }),
    ]);
    assert.equal(fromFile.code, 0, show(fromFile));
    assert.equal(fromFile.stdout, 'Success! Uploaded policy: app-read\n');
    assert.equal(fromStdin.code, 0, show(fromStdin));
    const [read, json, list, listJson] = await Promise.all([
      cli(['policy', 'read', 'app-read']),
      cli(['policy', 'read', '-format=json', 'ops']),
      cli(['policy', 'list']),
      cli(['policy', 'list', '-format=json']),
    ]);
    assert.equal(read.stdout, 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n');
    assert.match(JSON.parse(json.stdout).policy, /capabilities = \["sudo", "read"\]/);
    assert.deepEqual(list.stdout.trim().split('\n').sort(), ['app-read', 'default', 'ops', 'root']);
    assert.deepEqual(JSON.parse(listJson.stdout).sort(), ['app-read', 'default', 'ops', 'root']);
  });

  it('accepts what policy fmt produces', async () => {
    const file = join(dir, 'messy.hcl');
    writeFileSync(file, 'path   "kv/*"{capabilities=["read"]\n}');
    assert.equal((await cli(['policy', 'fmt', file])).code, 0);
    const r = await cli(['policy', 'write', 'messy', file]);
    assert.equal(r.code, 0, show(r));
  });

  it('deletes a policy; reading it then exits 2', async () => {
    const d = await cli(['policy', 'delete', 'ops']);
    assert.equal(d.code, 0, show(d));
    assert.equal(d.stdout, 'Success! Deleted policy: ops\n');
    const r = await cli(['policy', 'read', 'ops']);
    assert.equal(r.code, 2, show(r));
    assert.equal(r.stderr, 'No policy named: ops\n');
  });

  it('exits 1 with the server\'s message for a bad policy or a missing file', async () => {
    const [bad, missing] = await Promise.all([
      cli(['policy', 'write', 'bad', '-'], { stdin: 'path "x" { capabilities = ["fly"] }' }),
      cli(['policy', 'write', 'bad', join(dir, 'nope.hcl')]),
    ]);
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^Error uploading policy: Error making API request\.[\s\S]*Code: 400/);
    assert.equal(missing.code, 1, show(missing));
    assert.match(missing.stderr, /Error opening policy file/);
  });
});

describe('coffer token', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
    await t.root.write('sys/policies/acl/app', { policy: 'path "secret/*" { capabilities = ["read", "list"] }' });
    await t.root.write('sys/policies/acl/creator', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
  });
  after(() => t.close());

  const create = async (...args: string[]) => {
    const r = await cli(['token', 'create', '-format=json', ...args]);
    assert.equal(r.code, 0, show(r));
    return JSON.parse(r.stdout).auth as { client_token: string; accessor: string; policies: string[]; lease_duration: number; metadata: Record<string, string> | null };
  };

  it('creates a token with policies, TTL, metadata and a display name, shown as Vault shows it', async () => {
    const r = await cli(['token', 'create', '-policy=app', '-ttl=1h', '-metadata=team=core', '-display-name=ci']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Key\s+Value\n---\s+-----\ntoken\s+hvs\.\S+\ntoken_accessor\s+\S+\ntoken_duration\s+1h\ntoken_renewable\s+true\ntoken_policies\s+\["app" "default"\]\nidentity_policies\s+\[\]\npolicies\s+\["app" "default"\]\ntoken_meta_team\s+core\n$/);
    const auth = await create('-policy=app,other', '-explicit-max-ttl=2h', '-use-limit=5', '-no-default-policy');
    assert.deepEqual(auth.policies.sort(), ['app', 'other']);
    const field = await cli(['token', 'create', '-field=token', '-policy=app']);
    assert.match(field.stdout, /^hvs\.\S+$/);
  });

  it('looks up the caller, a token, and an accessor', async () => {
    const auth = await create('-policy=app', '-ttl=1h', '-orphan');
    const [self, byToken, byAccessor] = await Promise.all([
      cli(['token', 'lookup']),
      cli(['token', 'lookup', '-format=json', auth.client_token]),
      cli(['token', 'lookup', '-accessor', auth.accessor]),
    ]);
    assert.equal(self.code, 0, show(self));
    assert.equal(row(self.stdout, 'policies'), '[root]');
    assert.equal(row(self.stdout, 'ttl'), '0s');
    const data = JSON.parse(byToken.stdout).data;
    assert.equal(data.orphan, true);
    assert.deepEqual(data.policies, ['app', 'default']);
    assert.equal(byAccessor.code, 0, show(byAccessor));
    assert.equal(row(byAccessor.stdout, 'accessor'), auth.accessor);
    assert.equal(row(byAccessor.stdout, 'creation_ttl'), '1h');
  });

  it('renews a token, its own token, and by accessor', async () => {
    const auth = await create('-policy=app', '-ttl=1h', '-explicit-max-ttl=10h');
    const [other, self, byAccessor] = await Promise.all([
      cli(['token', 'renew', '-increment=2h', auth.client_token]),
      cli(['token', 'renew', '-i', '30m'], { env: { COFFER_TOKEN: auth.client_token } }),
      cli(['token', 'renew', '-accessor', auth.accessor]),
    ]);
    assert.equal(other.code, 0, show(other));
    assert.equal(row(other.stdout, 'token_duration'), '2h');
    assert.equal(self.code, 0, show(self));
    assert.equal(row(self.stdout, 'token_duration'), '30m');
    assert.equal(byAccessor.code, 0, show(byAccessor));
  });

  it('shows capabilities for the caller, a token and an accessor', async () => {
    const auth = await create('-policy=app');
    const [self, byToken, byAccessor, json] = await Promise.all([
      cli(['token', 'capabilities', 'secret/x']),
      cli(['token', 'capabilities', auth.client_token, 'secret/x']),
      cli(['token', 'capabilities', '-accessor', auth.accessor, 'sys/mounts']),
      cli(['token', 'capabilities', '-format=json', auth.client_token, 'secret/x']),
    ]);
    assert.equal(self.stdout, 'root\n');
    assert.equal(byToken.stdout, 'list, read\n');
    assert.equal(byAccessor.stdout, 'deny\n');
    assert.deepEqual(JSON.parse(json.stdout).sort(), ['list', 'read']);
  });

  it('revokes a token with its children, as an orphan, by accessor, and itself', async () => {
    const parent = await create('-policy=app', '-policy=creator');
    const childOut = await cli(['token', 'create', '-format=json', '-policy=app'], { env: { COFFER_TOKEN: parent.client_token } });
    assert.equal(childOut.code, 0, show(childOut));
    const child = JSON.parse(childOut.stdout).auth.client_token as string;
    const r = await cli(['token', 'revoke', parent.client_token]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'Success! Revoked token (if it existed)\n');
    const gone = await cli(['token', 'lookup', child]);
    assert.equal(gone.code, 1, show(gone));
    assert.match(gone.stderr, /^Error looking up token: Error making API request\./);

    const p2 = await create('-policy=app,creator');
    const c2 = JSON.parse((await cli(['token', 'create', '-format=json', '-policy=app'], { env: { COFFER_TOKEN: p2.client_token } })).stdout).auth.client_token as string;
    assert.equal((await cli(['token', 'revoke', '-mode=orphan', p2.client_token])).code, 0);
    assert.equal((await cli(['token', 'lookup', c2])).code, 0, 'the child survives as an orphan');

    const a = await create('-policy=app');
    assert.equal((await cli(['token', 'revoke', '-accessor', a.accessor])).code, 0);
    assert.equal((await cli(['token', 'lookup', a.client_token])).code, 1);

    const self = await cli(['token', 'revoke', '-self'], { env: { COFFER_TOKEN: c2 } });
    assert.equal(self.code, 0, show(self));
    assert.equal((await cli(['token', 'lookup', c2])).code, 1);
  });

  it('exits 2 for contradictory or missing revoke arguments', async () => {
    const results = await Promise.all([
      cli(['token', 'revoke']),
      cli(['token', 'revoke', '-self', 'x']),
      cli(['token', 'revoke', '-mode=bogus', 'x']),
      cli(['token', 'capabilities']),
      cli(['token', 'lookup', '-accessor']),
    ]);
    for (const r of results) assert.equal(r.code, 2, show(r));
  });
});
