import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCofferError } from '../../errors.js';
import { PathMatcher } from './path-matcher.js';
import { parsePathTemplate, resolvePathTemplate, type IdentityFacts } from './path-template.js';

const facts = (name: string, metadata: Record<string, string> = {}): IdentityFacts => ({
  entityId: 'e-1',
  entityName: name,
  entityMetadata: metadata,
  alias: (acc) => (acc === 'auth_up_1' ? { id: 'a-1', name: 'al', metadata: {}, customMetadata: { k: 'v' } } : undefined),
  groupById: (id) => (id === 'g-1' ? { id: 'g-1', name: 'ops', metadata: { env: 'prod' } } : undefined),
  groupByName: (n) => (n.toLowerCase() === 'ops.team' ? { id: 'g-2', name: 'Ops.Team', metadata: {} } : undefined),
});

const reaches = (template: string, f: IdentityFacts, path: string): boolean => {
  const pattern = resolvePathTemplate(parsePathTemplate(template), f);
  return pattern !== undefined && new PathMatcher([{ pattern }]).find(path, false) !== undefined;
};

describe('policy path templates', () => {
  it('fills every parameter kind', () => {
    const f = facts('alice', { team: 'blue' });
    assert.ok(reaches('kv/{{identity.entity.name}}/*', f, 'kv/alice/x'));
    assert.ok(reaches('kv/{{identity.entity.id}}', f, 'kv/e-1'));
    assert.ok(reaches('kv/{{ identity.entity.metadata.team }}/+/x', f, 'kv/blue/any/x'));
    assert.ok(reaches('kv/{{identity.entity.aliases.auth_up_1.name}}-{{identity.entity.aliases.auth_up_1.custom_metadata.k}}', f, 'kv/al-v'));
    assert.ok(reaches('kv/{{identity.groups.ids.g-1.name}}/{{identity.groups.ids.g-1.metadata.env}}', f, 'kv/ops/prod'));
    assert.ok(reaches('kv/{{identity.groups.names.ops.team.id}}', f, 'kv/g-2'));
  });

  it('matches nothing when a parameter is missing or unsafe', () => {
    for (const t of ['kv/{{identity.entity.metadata.nope}}/*', 'kv/{{identity.entity.aliases.auth_other.name}}', 'kv/{{identity.groups.ids.g-9.name}}']) {
      assert.equal(resolvePathTemplate(parsePathTemplate(t), facts('alice')), undefined, t);
    }
    for (const v of ['', '.', '..', 'a/b', 'a\nb', 'a\u0000']) {
      assert.equal(resolvePathTemplate(parsePathTemplate('kv/{{identity.entity.metadata.m}}/*'), facts('x', { m: v })), undefined, JSON.stringify(v));
    }
  });

  it('treats wildcard characters in a value as text', () => {
    assert.ok(!reaches('kv/{{identity.entity.name}}/*', facts('*'), 'kv/bob/x'));
    assert.ok(reaches('kv/{{identity.entity.name}}/*', facts('*'), 'kv/*/x'));
    assert.ok(!reaches('kv/{{identity.entity.name}}/x', facts('+'), 'kv/bob/x'));
    assert.ok(reaches('kv/{{identity.entity.name}}/x', facts('+'), 'kv/+/x'));
    assert.ok(!reaches('kv/{{identity.entity.name}}', facts('a*'), 'kv/abc'));
    assert.ok(reaches('kv/{{identity.entity.name}}', facts('a*'), 'kv/a*'));
  });

  it('refuses unknown parameters and misplaced wildcards when the policy is written', () => {
    for (const [t, re] of [
      ['kv/{{identity.entity.nope}}', /unknown template parameter/],
      ['kv/{{identity.entity.name', /without a matching "}}"/],
      ['kv/}}x', /without a matching "{{"/],
      ['kv/*{{identity.entity.name}}', /only allowed at the end/],
      ['kv/+{{identity.entity.name}}', /whole path segment/],
      ['kv/{{identity.groups.ids.g-1.id}}', /unknown template parameter/],
    ] as const) {
      assert.throws(() => parsePathTemplate(t), (e: unknown) => isCofferError(e) && re.test(e.message), t);
    }
  });
});
