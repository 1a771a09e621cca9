/**
 * How identity groups are shown: an empty member list is null, as Vault (1.9.9 on) shows
 * it, by id, by name and through a lookup alike. hvac's integration suite compares against it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Data = Record<string, unknown>;

describe('identity groups with no members', () => {
  let t: TestServer;
  const read = async (path: string): Promise<Data> => (await t.root.read(path))!.data as Data;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('answers null for member_entity_ids and member_group_ids on every read of the group', async () => {
    const { id } = (await t.root.write('identity/group', { name: 'empty', policies: ['p'] }))!.data as { id: string };
    for (const group of [await read(`identity/group/id/${id}`), await read('identity/group/name/empty'), (await t.root.write('identity/lookup/group', { id }))!.data as Data]) {
      assert.equal(group.id, id);
      assert.equal(group.member_entity_ids, null);
      assert.equal(group.member_group_ids, null);
    }
  });

  it('shows the lists while they have members, and null again once emptied', async () => {
    const child = (await t.root.write('identity/group', { name: 'child' }))!.data as { id: string };
    const entity = (await t.root.write('identity/entity', { name: 'e1' }))!.data as { id: string };
    const parent = (await t.root.write('identity/group', { name: 'parent', member_group_ids: [child.id], member_entity_ids: [entity.id] }))!.data as { id: string };
    const full = await read(`identity/group/id/${parent.id}`);
    assert.deepEqual(full.member_group_ids, [child.id]);
    assert.deepEqual(full.member_entity_ids, [entity.id]);
    await t.root.write(`identity/group/id/${parent.id}`, { member_group_ids: [], member_entity_ids: [] });
    const emptied = await read(`identity/group/id/${parent.id}`);
    assert.equal(emptied.member_group_ids, null);
    assert.equal(emptied.member_entity_ids, null);
  });
});
