import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemStorage } from '../token/fixtures.js';
import { writeAlias } from './alias-ops.js';
import { combinePolicies, effectivePolicies } from './effective-policies.js';
import { deleteEntities, mergeEntities, writeEntity } from './entity-ops.js';
import { deleteGroup, writeGroup, writeGroupAlias } from './group-ops.js';
import { IdentityStore } from './identity-store.js';
import { entityForLogin } from './login-identity.js';

const MOUNTS: Record<string, { path: string; type: string }> = {
  auth_userpass_1: { path: 'auth/userpass/', type: 'userpass' },
  auth_jwt_1: { path: 'auth/jwt/', type: 'jwt' },
};

function newStore(storage = new MemStorage()) {
  return { storage, store: new IdentityStore({ storage, mountByAccessor: (a) => MOUNTS[a] }) };
}

const rejects = (p: Promise<unknown>, status: number, text: RegExp) =>
  assert.rejects(p, (e: { status?: number; message?: string }) => {
    assert.equal(e.status, status, e.message);
    assert.match(e.message ?? '', text);
    return true;
  });

describe('identity store', () => {
  it('keeps each entity’s identity policies current as entities and groups change', async () => {
    const { store } = newStore();
    const { entity: alice } = await writeEntity(store, undefined, { name: 'alice', policies: ['Own', 'own'] });
    assert.deepEqual(store.access(alice.id), { policies: ['own'], disabled: false });
    const { group: team } = await writeGroup(store, undefined, { name: 'team', policies: ['team-p'], memberEntityIds: [alice.id] });
    assert.deepEqual(store.policiesOf(alice.id), ['own', 'team-p']);
    const { group: dept } = await writeGroup(store, undefined, { name: 'dept', policies: ['dept-p'], memberGroupIds: [team.id] });
    assert.deepEqual(store.policiesOf(alice.id), ['dept-p', 'own', 'team-p']);
    // removing alice from the team drops both the team's and the inherited policies at once
    await writeGroup(store, team, { memberEntityIds: [] });
    assert.deepEqual(store.policiesOf(alice.id), ['own']);
    await writeGroup(store, team, { memberEntityIds: [alice.id] });
    await deleteGroup(store, dept.id);
    assert.deepEqual(store.policiesOf(alice.id), ['own', 'team-p']);
    assert.deepEqual(store.group(team.id)!.memberGroupIds, []);
    await writeEntity(store, alice, { disabled: true });
    assert.equal(store.access(alice.id)!.disabled, true);
    await deleteEntities(store, [alice.id]);
    assert.equal(store.access(alice.id), undefined);
    assert.deepEqual(store.group(team.id)!.memberEntityIds, []);
  });

  it('persists every change and reads it all back on load', async () => {
    const { storage, store } = newStore();
    const { entity } = await writeEntity(store, undefined, { name: 'bob', metadata: { team: 'x' } });
    const alias = await writeAlias(store, { name: 'bob', mountAccessor: 'auth_userpass_1', canonicalId: entity.id });
    const { group } = await writeGroup(store, undefined, { name: 'g', policies: ['p'], memberEntityIds: [entity.id] });
    const { store: again } = newStore(storage);
    await again.load();
    assert.equal(again.entityNamed('BOB')!.id, entity.id);
    assert.equal(again.aliasFor('auth_userpass_1', 'bob')!.id, alias!.id);
    assert.equal(again.groupNamed('g')!.id, group.id);
    assert.deepEqual(again.policiesOf(entity.id), ['p']);
    again.clear();
    assert.equal(again.entity(entity.id), undefined);
  });

  it('refuses a cycle, an unknown member, root, and a duplicate name or alias with 400s', async () => {
    const { store } = newStore();
    const { group: a } = await writeGroup(store, undefined, { name: 'a' });
    const { group: b } = await writeGroup(store, undefined, { name: 'b', memberGroupIds: [a.id] });
    await rejects(writeGroup(store, a, { memberGroupIds: [b.id] }), 400, /cyclic/);
    await rejects(writeGroup(store, a, { memberGroupIds: [a.id] }), 400, /itself/);
    await rejects(writeGroup(store, a, { memberEntityIds: ['nope'] }), 400, /member entity ID "nope" does not exist/);
    await rejects(writeGroup(store, undefined, { name: 'A' }), 400, /already in use/);
    await rejects(writeEntity(store, undefined, { policies: ['root'] }), 400, /root/);
    const { entity } = await writeEntity(store, undefined, { name: 'e' });
    await writeAlias(store, { name: 'u', mountAccessor: 'auth_userpass_1', canonicalId: entity.id });
    await rejects(writeAlias(store, { name: 'v', mountAccessor: 'auth_userpass_1', canonicalId: entity.id }), 400, /already exists/);
    await rejects(writeAlias(store, { name: 'u', mountAccessor: 'nope' }), 400, /invalid mount accessor/);
    const ext = await writeGroup(store, undefined, { name: 'ext', type: 'external' });
    await rejects(writeGroup(store, ext.group, { memberEntityIds: [entity.id] }), 400, /external/);
    await writeGroupAlias(store, undefined, { name: 'devs', mountAccessor: 'auth_jwt_1', canonicalId: ext.group.id });
    await rejects(writeGroupAlias(store, undefined, { name: 'devs', mountAccessor: 'auth_jwt_1' }), 400, /already in use/);
    await rejects(writeGroupAlias(store, undefined, { name: 'x', mountAccessor: 'auth_jwt_1', canonicalId: a.id }), 400, /internal group/);
  });

  it('maps a login to one entity per alias, and keeps external group membership to the groups claim', async () => {
    const { store } = newStore();
    const { group: devs } = await writeGroup(store, undefined, { name: 'devs', type: 'external', policies: ['dev'] });
    await writeGroupAlias(store, undefined, { name: 'developers', mountAccessor: 'auth_jwt_1', canonicalId: devs.id });
    const id = await entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'sub-1', groupAliases: [{ name: 'developers' }, { name: 'unknown' }] });
    assert.equal(await entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'SUB-1', groupAliases: [{ name: 'developers' }] }), id);
    assert.deepEqual(store.policiesOf(id), ['dev']);
    assert.deepEqual(store.group(devs.id)!.memberEntityIds, [id]);
    await entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'sub-1', groupAliases: [] });
    assert.deepEqual(store.policiesOf(id), []);
    // a method that says nothing about groups leaves membership alone
    await entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'sub-1', groupAliases: [{ name: 'developers' }] });
    await entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'sub-1' });
    assert.deepEqual(store.policiesOf(id), ['dev']);
    await writeEntity(store, store.entity(id), { disabled: true });
    await rejects(entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'sub-1' }), 403, /disabled/);
  });

  it('merges entities: aliases and memberships move, the others go', async () => {
    const { store } = newStore();
    const one = await entityForLogin(store, { mountAccessor: 'auth_userpass_1', name: 'a' });
    const two = await entityForLogin(store, { mountAccessor: 'auth_jwt_1', name: 'a' });
    await writeGroup(store, undefined, { name: 'g', policies: ['gp'], memberEntityIds: [two] });
    await mergeEntities(store, one, [two]);
    assert.equal(store.entity(two), undefined);
    assert.equal(store.aliasFor('auth_jwt_1', 'a')!.canonicalId, one);
    assert.deepEqual(store.policiesOf(one), ['gp']);
    const three = await entityForLogin(store, { mountAccessor: 'auth_userpass_1', name: 'b' });
    await rejects(mergeEntities(store, one, [three]), 400, /conflicting mount accessors/);
  });

  it('combines token and identity policies once per change, and refuses a disabled entity', async () => {
    const token = ['default'];
    const identity = ['a'];
    const first = combinePolicies(token, identity);
    assert.deepEqual(first, ['a', 'default']);
    assert.equal(combinePolicies(token, identity), first);
    assert.notEqual(combinePolicies(token, ['a']), first);
    assert.equal(combinePolicies(token, []), token);
    const { store } = newStore();
    const { entity } = await writeEntity(store, undefined, { policies: ['p'], disabled: true });
    assert.throws(() => effectivePolicies(store, token, entity.id), (e: { status?: number }) => e.status === 403);
    assert.equal(effectivePolicies(store, token, ''), token);
    assert.equal(effectivePolicies(store, token, 'gone'), token);
  });
});
