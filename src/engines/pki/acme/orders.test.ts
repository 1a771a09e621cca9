import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOps, type Storage } from '../../../logical/storage.js';
import { createInmemBackend } from '../../../physical/inmem/inmem-backend.js';
import { authzStatusAt, orderStatusAt } from './orders.js';
import { authzOp, orderOp, type AuthzEntry, type OrderEntry } from './store.js';

const authz = (id: string, status: AuthzEntry['status'], expires: number): AuthzEntry => ({
  id,
  accountId: 'acct',
  orderId: 'o1',
  identifier: { type: 'dns', value: `${id}.coffer.test` },
  wildcard: false,
  status,
  expires,
  challenges: [],
});

const order = (authzIds: string[], expires: number, status: OrderEntry['status'] = 'pending'): OrderEntry => ({
  id: 'o1',
  accountId: 'acct',
  status,
  identifiers: [],
  authzIds,
  expires,
  directory: { role: '', issuer: '' },
  serial: '',
  chain: '',
});

describe('ACME order and authorization status', () => {
  it('turns a pending authorization invalid once it expires; a valid one stays valid', () => {
    assert.equal(authzStatusAt(authz('a', 'pending', 1000), 999), 'pending');
    assert.equal(authzStatusAt(authz('a', 'pending', 1000), 1001), 'invalid');
    assert.equal(authzStatusAt(authz('a', 'valid', 1000), 1001), 'valid');
  });

  it('follows its authorizations: pending, then ready, invalid when one fails or the order expires', async () => {
    const storage = createInmemBackend() as unknown as Storage;
    const o = order(['a', 'b'], 10_000);
    await applyOps(storage, [orderOp(o), authzOp(authz('a', 'valid', 10_000)), authzOp(authz('b', 'pending', 10_000))]);
    assert.equal(await orderStatusAt(storage, o, 5), 'pending');
    await applyOps(storage, [authzOp(authz('b', 'valid', 10_000))]);
    assert.equal(await orderStatusAt(storage, o, 5), 'ready');
    assert.equal(await orderStatusAt(storage, o, 10_001), 'invalid', 'an expired order cannot be finalized');
    assert.equal(await orderStatusAt(storage, { ...o, status: 'valid' }, 10_001), 'valid', 'an issued order stays valid');
    await applyOps(storage, [authzOp(authz('b', 'invalid', 10_000))]);
    assert.equal(await orderStatusAt(storage, o, 5), 'invalid');
  });
});
