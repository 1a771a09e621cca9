import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storageView, type Storage } from '../../logical/storage.js';
import { createInmemBackend } from '../../physical/inmem/inmem-backend.js';
import { AppRoleState } from './mount-state.js';
import { newRole, saveRole } from './role-config.js';

/** A storage that counts reads, to tell memory hits from storage reads. */
function counting(): Storage & { reads: number } {
  const inner = storageView(createInmemBackend(), 'm/');
  const s = { ...inner, reads: 0, get: async (k: string) => (s.reads++, inner.get(k)) };
  return s;
}

describe('AppRole mount state', () => {
  it('makes one salt, keeps it and the roles read by role id in memory, and forgets both on seal', async () => {
    const storage = counting();
    const state = new AppRoleState();
    const [a, b] = await Promise.all([state.ensureSalt(storage), state.ensureSalt(storage)]);
    assert.equal(a, b, 'two first uses racing make one salt');
    const role = newRole('web');
    await saveRole(storage, a, null, role);
    assert.equal((await state.roleByRoleId(storage, role.roleId))?.name, 'web');
    const reads = storage.reads;
    assert.equal((await state.roleByRoleId(storage, role.roleId))?.name, 'web');
    assert.equal(storage.reads, reads, 'the second lookup is served from memory');
    assert.equal(await state.roleByRoleId(storage, 'other-id'), null);

    const salt = (await state.readSalt(storage))!;
    state.forget();
    assert.ok(salt.every((x) => x === 0), 'the salt held in memory is zeroed');
    assert.equal((await state.roleByRoleId(storage, role.roleId))?.name, 'web', 'read again from storage');
    assert.ok(storage.reads > reads);
  });

  it('does not cache a role read that a role change overtook', async () => {
    const storage = counting();
    const state = new AppRoleState();
    const salt = await state.ensureSalt(storage);
    const role = newRole('web');
    await saveRole(storage, salt, null, role);
    const pending = state.roleByRoleId(storage, role.roleId);
    state.rolesChanged(); // a write committed while the read was in flight
    await pending;
    const reads = storage.reads;
    await state.roleByRoleId(storage, role.roleId);
    assert.ok(storage.reads > reads, 'read from storage again, not from a stale cache');
  });
});
