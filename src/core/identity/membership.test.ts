import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Membership } from './membership.js';
import type { Entity, Group } from './types.js';

const entity = (id: string, policies: string[] = []): Entity => ({
  id, name: id, policies, metadata: {}, disabled: false, aliases: [], mergedEntityIds: [], creationTime: 0, lastUpdateTime: 0,
});
const group = (id: string, policies: string[], members: string[] = [], memberGroups: string[] = []): Group => ({
  id, name: id, type: 'internal', policies, metadata: {}, memberEntityIds: members, memberGroupIds: memberGroups, creationTime: 0, lastUpdateTime: 0, modifyIndex: 1,
});

describe('group membership', () => {
  it('gives an entity its own policies and those of its direct groups', () => {
    const m = new Membership();
    m.setGroup(group('devs', ['dev'], ['alice']));
    assert.deepEqual(m.policiesFor(entity('alice', ['own'])), ['dev', 'own']);
    assert.deepEqual(m.policiesFor(entity('bob', ['own'])), ['own']);
    assert.deepEqual(m.directGroupIds('alice'), ['devs']);
  });

  it('lets a parent group’s policies flow down to the members of its member groups, transitively', () => {
    const m = new Membership();
    m.setGroup(group('team', ['team-p'], ['alice']));
    m.setGroup(group('dept', ['dept-p'], [], ['team']));
    m.setGroup(group('org', ['org-p'], [], ['dept']));
    assert.deepEqual(m.policiesFor(entity('alice')), ['dept-p', 'org-p', 'team-p']);
    assert.deepEqual(m.directGroupIds('alice'), ['team']);
    assert.deepEqual(m.inheritedGroupIds('alice'), ['dept', 'org']);
    assert.deepEqual(m.parentGroupIds('team'), ['dept']);
    // a member group does not get its members' policies: they flow down only
    m.setGroup(group('bob-group', ['bob-p'], ['bob']));
    assert.deepEqual(m.policiesFor(entity('bob')), ['bob-p']);
  });

  it('takes effect at once when a member is removed or a group is deleted', () => {
    const m = new Membership();
    m.setGroup(group('team', ['team-p'], ['alice', 'bob']));
    m.setGroup(group('dept', ['dept-p'], [], ['team']));
    m.setGroup(group('team', ['team-p'], ['bob']));
    assert.deepEqual(m.policiesFor(entity('alice')), []);
    assert.deepEqual(m.policiesFor(entity('bob')), ['dept-p', 'team-p']);
    m.removeGroup('dept');
    assert.deepEqual(m.policiesFor(entity('bob')), ['team-p']);
    assert.deepEqual(m.parentGroupIds('team'), []);
  });

  it('names the entities a change to a group can touch: members of it and of every group below it', () => {
    const m = new Membership();
    m.setGroup(group('team', [], ['alice']));
    m.setGroup(group('other', [], ['carol']));
    m.setGroup(group('dept', [], ['bob'], ['team']));
    assert.deepEqual([...m.entitiesUnder('dept')].sort(), ['alice', 'bob']);
    assert.deepEqual([...m.entitiesUnder('team')], ['alice']);
  });

  it('refuses a member group that is the group itself or would close a cycle', () => {
    const m = new Membership();
    m.setGroup(group('a', []));
    m.setGroup(group('b', [], [], ['a']));
    m.setGroup(group('c', [], [], ['b']));
    assert.match(m.cycleError('a', ['a']) ?? '', /the group itself/);
    assert.match(m.cycleError('a', ['c']) ?? '', /cyclic relationship/);
    assert.match(m.cycleError('a', ['b']) ?? '', /cyclic relationship/);
    assert.equal(m.cycleError('c', ['a']), undefined); // a second path down is no cycle
    assert.equal(m.cycleError('d', ['a', 'c']), undefined);
  });

  it('stays finite on a cycle already in stored data', () => {
    const m = new Membership();
    m.setGroup(group('x', ['x-p'], ['alice'], ['y']));
    m.setGroup(group('y', ['y-p'], [], ['x']));
    assert.deepEqual(m.policiesFor(entity('alice')), ['x-p', 'y-p']);
    assert.deepEqual(m.inheritedGroupIds('alice'), ['y']);
  });
});
