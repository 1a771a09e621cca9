/**
 * `entity_alias` on `auth/token/create/:role_name` over HTTP: a role's allowed_entity_aliases
 * (exact or glob, compared case-insensitively) lets a caller create tokens that belong to the
 * entity behind an alias on the token mount, the alias (and its entity) made on first use;
 * templated policies then see that alias. Anything else is a 400 that creates nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { expectError, expectStatus, type Body } from './auth/helpers.js';

describe('token create with entity_alias', () => {
  let t: TestServer;
  let tokenAccessor: string;

  before(async () => {
    t = await startDevServer();
    const auth = (await t.root.read('sys/auth'))!.data as Record<string, { accessor: string }>;
    tokenAccessor = auth['token/']!.accessor;
    await expectStatus(t.root.raw('POST', 'auth/token/roles/svc', { allowed_entity_aliases: ['web-*', 'Exact-One'], allowed_policies: ['svc-kv'] }), 204);
    await expectStatus(t.root.raw('POST', 'auth/token/roles/plain', { allowed_policies: ['svc-kv'] }), 204);
    await expectStatus(
      t.root.raw('PUT', 'sys/policies/acl/svc-kv', { policy: `path "secret/data/svc/{{identity.entity.aliases.${tokenAccessor}.name}}" { capabilities = ["read"] }` }),
      204,
    );
    for (const p of ['web-1', 'web-2']) await expectStatus(t.root.raw('POST', `secret/data/svc/${p}`, { data: { p } }), 200);
  });
  after(() => t.close());

  const create = (role: string, body: Record<string, unknown>) => t.root.raw<Body>('POST', `auth/token/create/${role}`, body);

  it('gives the token the entity of the alias on the token mount, made on first use and found again after', async () => {
    const first = (await expectStatus(create('svc', { entity_alias: 'web-1', policies: ['svc-kv'] }), 200)).auth!;
    assert.match(first.entity_id, /^[0-9a-f-]{36}$/);
    const second = (await expectStatus(create('svc', { entity_alias: 'web-1', policies: ['svc-kv'] }), 200)).auth!;
    assert.equal(second.entity_id, first.entity_id);
    const entity = (await expectStatus(t.root.raw<Body>('GET', `identity/entity/id/${first.entity_id}`), 200)).data!;
    const aliases = entity.aliases as { name: string; mount_accessor: string }[];
    assert.deepEqual(aliases.map((a) => [a.name, a.mount_accessor]), [['web-1', tokenAccessor]]);
    const lookup = (await expectStatus(t.client(first.client_token).raw<Body>('GET', 'auth/token/lookup-self'), 200)).data!;
    assert.equal(lookup.entity_id, first.entity_id);
    // the templated policy sees the alias: web-1 reads its own secret and not web-2's
    assert.equal((await t.client(first.client_token).raw('GET', 'secret/data/svc/web-1')).status, 200);
    assert.equal((await t.client(first.client_token).raw('GET', 'secret/data/svc/web-2')).status, 403);
  });

  it('matches allowed_entity_aliases case-insensitively', async () => {
    const auth = (await expectStatus(create('svc', { entity_alias: 'EXACT-one' }), 200)).auth!;
    assert.match(auth.entity_id, /^[0-9a-f-]{36}$/);
  });

  it('refuses an alias the role does not allow, and entity_alias without a role, creating nothing', async () => {
    const before = ((await t.root.raw<Body>('LIST', 'identity/entity-alias/id')).body?.data?.keys as string[] | undefined)?.length ?? 0;
    await expectError(create('svc', { entity_alias: 'db-1' }), 400, /invalid 'entity_alias' value/);
    await expectError(create('plain', { entity_alias: 'web-1' }), 400, /invalid 'entity_alias' value/);
    await expectError(t.root.raw('POST', 'auth/token/create', { entity_alias: 'web-1' }), 400, /only allowed in combination with token role/);
    const after = ((await t.root.raw<Body>('LIST', 'identity/entity-alias/id')).body?.data?.keys as string[] | undefined)?.length ?? 0;
    assert.equal(after, before);
  });

  it('refuses a token for a disabled entity', async () => {
    const auth = (await expectStatus(create('svc', { entity_alias: 'web-9' }), 200)).auth!;
    await expectStatus(t.root.raw('POST', `identity/entity/id/${auth.entity_id}`, { disabled: true }), 204);
    await expectError(create('svc', { entity_alias: 'web-9' }), 403, /disabled|permission denied/);
  });
});
