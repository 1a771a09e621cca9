import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOps, storageView } from '../../logical/storage.js';
import { createInmemBackend } from '../../physical/inmem/inmem-backend.js';
import { newRole, saveRole } from './role-config.js';
import { putSecretIdOps, type SecretIdEntry } from './storage.js';
import { tidySecretIds } from './tidy.js';

const entry = (hmac: string, accessor: string, expirationTime: number): SecretIdEntry => ({
  hmac, accessor, numUses: 0, ttl: 0, creationTime: 0, expirationTime, lastUpdatedTime: 0, metadata: {}, cidrList: [], tokenBoundCidrs: [],
});

describe('secret id tidy', () => {
  it('removes expired secret ids, those of deleted roles and half entries, and keeps the rest', async () => {
    const storage = storageView(createInmemBackend(), 'm/');
    const role = newRole('web');
    await saveRole(storage, Buffer.alloc(32, 1), null, role);
    const gone = newRole('gone'); // never saved: its secret ids are orphans
    await applyOps(storage, [
      ...putSecretIdOps(role, entry('a'.repeat(64), 'acc-live', 0)),
      ...putSecretIdOps(role, entry('b'.repeat(64), 'acc-expired', 1000)),
      ...putSecretIdOps(gone, entry('c'.repeat(64), 'acc-orphan', 0)),
      { kind: 'put', key: `accessor/${role.uuid}/acc-dangling`, value: Buffer.from('d'.repeat(64)) },
    ]);
    const report = await tidySecretIds(storage, () => 2000);
    assert.deepEqual(report, { expired: 1, orphaned: 1, dangling: 1 });
    assert.deepEqual(await storage.list(`secret-id/${role.uuid}/`), ['a'.repeat(64)]);
    assert.deepEqual(await storage.list(`accessor/${role.uuid}/`), ['acc-live']);
    assert.deepEqual(await storage.list(`secret-id/${gone.uuid}/`), []);
    assert.deepEqual(await storage.list(`accessor/${gone.uuid}/`), []);
    assert.deepEqual(await tidySecretIds(storage, () => 2000), { expired: 0, orphaned: 0, dangling: 0 }, 'a second run finds nothing');
  });
});
