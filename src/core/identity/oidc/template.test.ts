import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, ROLE_RESERVED, SCOPE_RESERVED, validateTemplate, type TemplateEntity } from './template.js';

const entity: TemplateEntity = {
  id: 'e-1',
  name: 'al"ice',
  metadata: { team: 'blue', note: 'a\\b' },
  aliases: [{ id: 'a-1', mountAccessor: 'auth_userpass_1', name: 'alice', metadata: { k: 'v' }, customMetadata: { c: 'd' } }],
  groups: [{ id: 'g-1', name: 'eng', metadata: { floor: '3' } }, { id: 'g-2', name: 'staff', metadata: {} }],
};

describe('claims templates', () => {
  it('renders parameters outside quotes as JSON values and inside quotes as escaped text', () => {
    const t = validateTemplate(
      '{"n": {{identity.entity.name}}, "hello": "hi {{identity.entity.name}} ({{identity.entity.metadata.note}})", "g": {{identity.entity.groups.names}}, "ids": {{identity.entity.groups.ids}}, "m": {{identity.entity.metadata}}, "u": {{identity.entity.aliases.auth_userpass_1.name}}, "c": {{identity.entity.aliases.auth_userpass_1.custom_metadata.c}}, "f": {{identity.groups.names.eng.metadata.floor}}, "gid": {{identity.groups.names.staff.id}}, "nested": {"team": {{identity.entity.metadata.team}}}}',
      ROLE_RESERVED,
    );
    assert.deepEqual(renderTemplate(t, entity, 1000), {
      n: 'al"ice',
      hello: 'hi al"ice (a\\b)',
      g: ['eng', 'staff'],
      ids: ['g-1', 'g-2'],
      m: { team: 'blue', note: 'a\\b' },
      u: 'alice',
      c: 'd',
      f: '3',
      gid: 'g-2',
      nested: { team: 'blue' },
    });
  });

  it('leaves out claims without a value and renders time parameters as unix seconds', () => {
    const t = validateTemplate('{"x": {{identity.entity.metadata.nope}}, "y": "[{{identity.entity.aliases.other.name}}]", "now": {{time.now}}, "later": {{time.now.plus.1h}}}', ROLE_RESERVED);
    assert.deepEqual(renderTemplate(t, entity, 1000), { y: '[]', now: 1000, later: 4600 });
  });

  it('reads only own metadata keys: constructor or __proto__ render as absent, not as inherited values', () => {
    const t = validateTemplate('{"a": {{identity.entity.metadata.constructor}}, "b": "{{identity.entity.metadata.__proto__}}", "c": {{identity.groups.names.eng.metadata.toString}}, "d": {{identity.entity.aliases.auth_userpass_1.metadata.hasOwnProperty}}}', ROLE_RESERVED);
    assert.deepEqual(renderTemplate(t, entity, 1000), { b: '' });
  });

  it('takes base64 of the JSON as Vault does, and refuses reserved claims, unknown parameters and non-objects', () => {
    assert.equal(validateTemplate(Buffer.from('{"a": 1}').toString('base64'), ROLE_RESERVED), '{"a": 1}');
    assert.throws(() => validateTemplate('{"aud": "x"}', ROLE_RESERVED), /top level key "aud" not allowed/);
    assert.throws(() => validateTemplate('{"nonce": "x"}', SCOPE_RESERVED), /top level key "nonce" not allowed/);
    assert.doesNotThrow(() => validateTemplate('{"nonce": "x"}', ROLE_RESERVED));
    assert.throws(() => validateTemplate('{"a": {{identity.entity.policies}}}', ROLE_RESERVED), /unknown parameter "identity.entity.policies"/);
    assert.throws(() => validateTemplate('{"a": ', ROLE_RESERVED), /JSON object/);
    assert.throws(() => validateTemplate('"str"', ROLE_RESERVED), /JSON object/);
    assert.equal(validateTemplate('  ', ROLE_RESERVED), '');
  });
});
