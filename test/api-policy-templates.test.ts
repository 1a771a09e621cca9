/**
 * Templated ACL policies over HTTP: `{{identity.…}}` parameters in policy paths, filled from
 * the caller's entity as it is now (entity name, id, metadata, aliases, groups), and the
 * security properties a template must keep: a filled-in value is text, never a wildcard,
 * never a way out of its segment, never empty; a path that cannot be filled matches
 * nothing while the rest of the policy still applies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { enable, expectError, expectStatus, login, type Body } from './auth/helpers.js';

type Data = Record<string, unknown>;

describe('templated ACL policies', () => {
  let t: TestServer;
  let userpass: string;
  let other: string;
  let n = 0;

  const data = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: Data): Promise<Data> =>
    (await expectStatus(t.root.raw<Body>(method, path, body), 200, `${method} ${path}`)).data!;
  const policy = (name: string, text: string) => expectStatus(t.root.raw('PUT', `sys/policies/acl/${name}`, { policy: text }), 204, `policy ${name}`);
  const write = (path: string) => expectStatus(t.root.raw('POST', `secret/data/${path}`, { data: { at: path } }), 200, `write ${path}`);
  const status = async (token: string, path: string) => (await t.client(token).raw('GET', `secret/data/${path}`)).status;

  /** A userpass login mapped to a new entity with these attributes; returns the token and the entity id. */
  async function loginAs(entity: Data, policies: string[]): Promise<{ token: string; entityId: string }> {
    const user = `user${++n}`;
    const created = await data('POST', 'identity/entity', { ...entity, policies });
    const entityId = created.id as string;
    await data('POST', 'identity/entity-alias', { name: user, mount_accessor: userpass, canonical_id: entityId });
    await expectStatus(t.root.raw('POST', `auth/userpass/users/${user}`, { password: 'pw' }), 204);
    const auth = await login(t.anon, `auth/userpass/login/${user}`, { password: 'pw' });
    assert.equal(auth.entity_id, entityId);
    return { token: auth.client_token, entityId };
  }

  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'userpass', 'userpass');
    await enable(t.root, 'other', 'userpass');
    const auth = (await t.root.read('sys/auth'))!.data as Record<string, { accessor: string }>;
    userpass = auth['userpass/']!.accessor;
    other = auth['other/']!.accessor;
    await policy('by-name', 'path "secret/data/users/{{identity.entity.name}}/*" { capabilities = ["read"] }\npath "secret/data/common/*" { capabilities = ["read"] }');
    for (const p of ['users/alice/x', 'users/bob/x', 'common/x', 'users/*/x', 'users/+/x', 'users/a*/x', 'users/{x}/x', 'users/a,b/x', 'users/[x]/x']) await write(p);
  });
  after(() => t.close());

  it('fills the entity name in per caller: alice reads her folder, not bob’s, and the untemplated rules still apply', async () => {
    const alice = await loginAs({ name: 'alice' }, ['by-name']);
    assert.equal(await status(alice.token, 'users/alice/x'), 200);
    assert.equal(await status(alice.token, 'users/bob/x'), 403);
    assert.equal(await status(alice.token, 'common/x'), 200);
    const caps = await data('POST', 'sys/capabilities-accessor', {
      accessor: ((await expectStatus(t.client(alice.token).raw<Body>('GET', 'auth/token/lookup-self'), 200)).data!.accessor as string),
      paths: ['secret/data/users/alice/x', 'secret/data/users/bob/x'],
    });
    assert.deepEqual(caps['secret/data/users/alice/x'], ['read']);
    assert.deepEqual(caps['secret/data/users/bob/x'], ['deny']);
  });

  it('follows the entity as it is now: a rename moves access on the next request of the same token', async () => {
    const carol = await loginAs({ name: 'carol' }, ['by-name']);
    await write('users/carol/x');
    await write('users/carla/x');
    assert.equal(await status(carol.token, 'users/carol/x'), 200);
    await expectStatus(t.root.raw('POST', `identity/entity/id/${carol.entityId}`, { name: 'carla' }), 204);
    assert.equal(await status(carol.token, 'users/carol/x'), 403);
    assert.equal(await status(carol.token, 'users/carla/x'), 200);
  });

  it('fills entity id, metadata, alias name/metadata and group names, ids and metadata', async () => {
    const grp = await data('POST', 'identity/group', { name: 'Blue.Team', metadata: { floor: 'f3' } });
    const groupId = grp.id as string;
    await policy('many', [
      'path "secret/data/ids/{{identity.entity.id}}" { capabilities = ["read"] }',
      'path "secret/data/teams/{{identity.entity.metadata.team}}/*" { capabilities = ["read"] }',
      `path "secret/data/alias/{{identity.entity.aliases.${other}.name}}/{{ identity.entity.aliases.${other}.custom_metadata.region }}" { capabilities = ["read"] }`,
      `path "secret/data/gname/{{identity.groups.ids.${groupId}.name}}" { capabilities = ["read"] }`,
      'path "secret/data/gid/{{identity.groups.names.blue.team.id}}" { capabilities = ["read"] }',
      'path "secret/data/floor/{{identity.groups.names.Blue.Team.metadata.floor}}" { capabilities = ["read"] }',
    ].join('\n'));
    const dave = await loginAs({ name: 'dave', metadata: { team: 'red' } }, ['many']);
    await data('POST', 'identity/entity-alias', { name: 'dave-ext', mount_accessor: other, canonical_id: dave.entityId, custom_metadata: { region: 'eu' } });
    for (const p of [`ids/${dave.entityId}`, 'teams/red/x', 'teams/blue/x', 'alias/dave-ext/eu', 'gname/Blue.Team', `gid/${groupId}`, 'floor/f3']) await write(p);
    assert.equal(await status(dave.token, `ids/${dave.entityId}`), 200);
    assert.equal(await status(dave.token, 'teams/red/x'), 200);
    assert.equal(await status(dave.token, 'teams/blue/x'), 403);
    assert.equal(await status(dave.token, 'alias/dave-ext/eu'), 200, 'alias name and custom metadata');
    assert.equal(await status(dave.token, 'gname/Blue.Team'), 403, 'not a member yet');
    await expectStatus(t.root.raw('POST', `identity/group/id/${groupId}`, { member_entity_ids: [dave.entityId] }), 204);
    assert.equal(await status(dave.token, 'gname/Blue.Team'), 200, 'group name by id');
    assert.equal(await status(dave.token, `gid/${groupId}`), 200, 'group id by (case-insensitive) name');
    assert.equal(await status(dave.token, 'floor/f3'), 200, 'group metadata');
  });

  it('resolves an alias on another mount, name and metadata, and matches nothing when the alias lacks the key', async () => {
    await policy('alias', `path "secret/data/al/{{identity.entity.aliases.${other}.name}}/*" { capabilities = ["read"] }\npath "secret/data/am/{{identity.entity.aliases.${other}.metadata.region}}/*" { capabilities = ["read"] }`);
    const erin = await loginAs({ name: 'erin' }, ['alias']);
    await write('al/erin-o/x');
    await write('am/eu/x');
    assert.equal(await status(erin.token, 'al/erin-o/x'), 403, 'no alias on that mount yet');
    await data('POST', 'identity/entity-alias', { name: 'erin-o', mount_accessor: other, canonical_id: erin.entityId, custom_metadata: { region: 'eu' } });
    assert.equal(await status(erin.token, 'al/erin-o/x'), 200);
    assert.equal(await status(erin.token, 'am/eu/x'), 403, 'alias without that (login) metadata key matches nothing');
  });

  it('gives a token without an entity nothing from templated paths, and the rest of its policy', async () => {
    const created = await expectStatus(t.root.raw<Body>('POST', 'auth/token/create', { policies: ['by-name'] }), 200);
    const token = created.auth!.client_token;
    assert.equal(await status(token, 'common/x'), 200);
    for (const p of ['users/alice/x', 'users/bob/x', 'users/*/x', 'users/+/x']) assert.equal(await status(token, p), 403, p);
  });

  describe('a filled-in value never widens the policy', () => {
    for (const name of ['*', '+', 'a*', '{x}', 'a,b', '[x]', '..', '.']) {
      it(`an entity named ${JSON.stringify(name)} reaches no other user's folder, only its literal own`, async () => {
        const who = await loginAs({ name }, ['by-name']);
        assert.equal(await status(who.token, 'users/bob/x'), 403);
        assert.equal(await status(who.token, 'users/alice/x'), 403);
        const own = `users/${name}/x`;
        if (name === '..' || name === '.') {
          // the request path itself is refused before any policy is read; no escape either way
          assert.notEqual(await status(who.token, own), 200);
          assert.equal(await status(who.token, 'common/x'), 200);
        } else {
          assert.equal(await status(who.token, own), 200, `literal ${own}`);
        }
      });
    }

    it('an alias name holding "/" ("a/*", "bob/x", "..") or an empty or newline metadata value matches nothing', async () => {
      await policy('alias-name', `path "secret/data/users/{{identity.entity.aliases.${other}.name}}/*" { capabilities = ["read"] }\npath "secret/data/meta/{{identity.entity.metadata.m}}/*" { capabilities = ["read"] }\npath "secret/data/common/*" { capabilities = ["read"] }`);
      await write('users/bob/x/y');
      await write('users/a/*/x');
      await write('meta/x');
      for (const [aliasName, meta] of [['a/*', ''], ['bob/x', 'a\nb'], ['../bob', 'x\u0000'], ['bob/..', '']] as const) {
        const who = await loginAs({ name: `slash${++n}`, metadata: { m: meta } }, ['alias-name']);
        const created = await t.root.raw('POST', 'identity/entity-alias', { name: aliasName, mount_accessor: other, canonical_id: who.entityId });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        for (const p of ['users/bob/x', 'users/bob/x/y', 'users/a/*/x', 'users/alice/x']) assert.equal(await status(who.token, p), 403, `${aliasName}: ${p}`);
        assert.equal(await status(who.token, 'meta/x'), 403, `metadata ${JSON.stringify(meta)} matches nothing, not secret/data/meta//*`);
        assert.equal(await status(who.token, 'common/x'), 200);
      }
    });
  });

  it('refuses a policy with an unknown or unclosed template parameter, naming it', async () => {
    await expectError(t.root.raw('PUT', 'sys/policies/acl/bad', { policy: 'path "secret/{{identity.entity.nope}}" { capabilities = ["read"] }' }), 400, /unknown template parameter "identity.entity.nope"/);
    await expectError(t.root.raw('PUT', 'sys/policies/acl/bad', { policy: 'path "secret/{{identity.entity.name" { capabilities = ["read"] }' }), 400, /without a matching/);
    await expectError(t.root.raw('PUT', 'sys/policies/acl/bad', { policy: 'path "secret/+{{identity.entity.name}}" { capabilities = ["read"] }' }), 400, /whole path segment/);
    assert.equal((await t.root.raw('GET', 'sys/policies/acl/bad')).status, 404);
  });

  it('unseals with a stored policy that an older version accepted and this one does not: tokens holding it are denied everything until it is written again', async () => {
    // As a policy stored before template parameters were checked would sit in storage.
    assert.ok(await t.server.core.barrier.get('sys/policy/by-name'), 'policies are stored as their text under sys/policy/');
    await t.server.core.barrier.put('sys/policy/legacy', Buffer.from('path "secret/data/{{identity.entity.nope}}/*" { capabilities = ["read"] }'));
    const alice = await loginAs({ name: `legacy${++n}` }, ['legacy', 'by-name']);
    assert.equal((await t.root.raw('PUT', 'sys/seal')).status, 204);
    assert.equal((await t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey })).status, 200);
    assert.equal(((await t.anon.raw('GET', 'sys/seal-status')).body as { sealed: boolean }).sealed, false);
    // Its deny rules cannot be honoured, so a token holding it gets nothing, not even what by-name grants.
    assert.equal(await status(alice.token, 'common/x'), 403, 'a token holding the unreadable policy is denied everything');
    const bob = await loginAs({ name: `legacy${++n}` }, ['by-name']);
    assert.equal(await status(bob.token, 'common/x'), 200, 'other tokens are not affected');
    assert.equal((await t.root.raw('GET', 'sys/policies/acl/legacy')).status, 404, 'the unreadable policy is left out until written again');
    await policy('legacy', 'path "secret/data/elsewhere/*" { capabilities = ["read"] }');
    assert.equal(await status(alice.token, 'common/x'), 200, 'written again, the policy set works as before');
  });
});
