import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { definePath } from './backend.js';
import { parseFields } from './dispatch.js';
import { f } from './fields.js';

const def = definePath({ pattern: 'encrypt/:name', fields: { name: z.string(), plaintext: z.string(), count: f.int().optional() }, operations: {} });

test('parseFields: path parameters win over body keys of the same name; unknown keys are reported, not kept', () => {
  const { fields, ignored } = parseFields({ def, params: { name: 'from-path' } }, { name: 'from-body', plaintext: 'cA==', extra: 1 });
  assert.deepEqual(fields, { name: 'from-path', plaintext: 'cA==' });
  assert.deepEqual(ignored, ['extra']);
});

test('parseFields: a "__proto__" key in a JSON body is a plain key: it sets no prototype and reaches no field', () => {
  const body = JSON.parse('{"__proto__": {"plaintext": "smuggled", "polluted": true}, "count": "3"}') as Record<string, unknown>;
  assert.throws(() => parseFields({ def, params: { name: 'k' } }, body), /plaintext/);
  const { fields } = parseFields({ def, params: { name: 'k' } }, { ...body, plaintext: 'cA==' });
  assert.deepEqual(fields, { name: 'k', plaintext: 'cA==', count: 3 });
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
