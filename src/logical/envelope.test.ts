import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, envelopeJson } from './envelope.js';
import type { Response } from './request.js';

const cases: [string, Response][] = [
  ['a kv read', { data: { data: Object.freeze({ password: 'p"w\\n\u2028' }), metadata: { version: 3, destroyed: false } }, mountType: 'kv' }],
  ['a lease', { data: { username: 'v-app' }, leaseId: 'database/creds/app/abc', secret: { type: 'creds', ttl: 3600.7, renewable: true }, mountType: 'database' }],
  ['warnings and no data', { warnings: ['one', 'two'] }],
  ['empty warnings', { data: { a: 1 }, warnings: [] }],
  [
    'a login',
    {
      authBlock: {
        client_token: 'hvs.x',
        accessor: 'acc',
        policies: ['default'],
        token_policies: ['default'],
        metadata: null,
        lease_duration: 60,
        renewable: true,
        entity_id: 'e',
        token_type: 'service',
        orphan: true,
        mfa_requirement: null,
        num_uses: 0,
      },
      mountType: 'approle',
    },
  ],
  ['a wrapped answer', { wrapInfo: { token: 't', accessor: 'a', ttl: 60, creation_time: 'now', creation_path: 'secret/data/x' } }],
  ['a lease with an unbounded TTL', { data: { a: 1 }, leaseId: 'x/y', secret: { type: 't', ttl: Infinity, renewable: false } }],
  ['empty strings and zero', { data: { a: '' }, leaseId: '', mountType: '', secret: { type: 't', ttl: 0.4, renewable: false } }],
  ['the legacy top-level copies of sys answers', { data: { 'secret/': { type: 'kv' }, request_id: 'not this one' }, legacyTopLevel: true }],
];

for (const [name, res] of cases) {
  test(`envelopeJson writes exactly what JSON.stringify(envelope()) writes: ${name}`, () => {
    assert.equal(envelopeJson('8f1b6c1e-0000-4000-8000-000000000000', res), JSON.stringify(envelope('8f1b6c1e-0000-4000-8000-000000000000', res)));
  });
}
