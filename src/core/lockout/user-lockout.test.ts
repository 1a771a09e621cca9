import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storageView } from '../../logical/storage.js';
import { createInmemBackend } from '../../physical/inmem/inmem-backend.js';
import { lockoutSettings, parseUserLockoutConfig } from './lockout-settings.js';
import { UserLockoutRegistry } from './user-lockout.js';

function setup(config = {}) {
  let now = 1_000_000;
  const storage = storageView(createInmemBackend(), 'locks/');
  const settings = lockoutSettings(config);
  const registry = new UserLockoutRegistry(storage, () => now, () => settings);
  return { registry, storage, settings, advance: (ms: number) => (now += ms), lockout: registry.forMount('acc', settings) };
}

describe('user lockout', () => {
  it('locks an alias after the threshold of failures, for the lockout duration', async () => {
    const { lockout, advance } = setup({ lockout_threshold: 3, lockout_duration: 60 });
    for (let i = 0; i < 2; i++) await lockout.recordFailure('alice');
    assert.equal(lockout.isLocked('alice'), false);
    await lockout.recordFailure('alice');
    assert.equal(lockout.isLocked('alice'), true);
    assert.equal(lockout.isLocked('bob'), false);
    advance(59_000);
    assert.equal(lockout.isLocked('alice'), true);
    advance(1_000);
    assert.equal(lockout.isLocked('alice'), false);
  });

  it('forgets failures older than the counter reset, and after a success', async () => {
    const { lockout, advance } = setup({ lockout_threshold: 2, lockout_counter_reset: 10 });
    await lockout.recordFailure('a');
    advance(10_000);
    await lockout.recordFailure('a');
    assert.equal(lockout.isLocked('a'), false, 'the first failure had expired');
    lockout.recordSuccess('a');
    await lockout.recordFailure('a');
    assert.equal(lockout.isLocked('a'), false, 'the success reset the count');
    await lockout.recordFailure('a');
    assert.equal(lockout.isLocked('a'), true);
  });

  it('does nothing when disabled', async () => {
    const { lockout } = setup({ lockout_threshold: 1, lockout_disable: true });
    await lockout.recordFailure('a');
    assert.equal(lockout.isLocked('a'), false);
  });

  it('persists locks, lists them by mount, and unlocks', async () => {
    const { registry, storage, lockout, settings } = setup({ lockout_threshold: 1 });
    await lockout.recordFailure('bob');
    await registry.forMount('other', settings).recordFailure('carol');
    const reloaded = new UserLockoutRegistry(storage, () => 1_000_000, () => settings);
    await reloaded.load();
    assert.equal(reloaded.isLocked('acc', 'bob', settings), true);
    assert.deepEqual(reloaded.list('acc'), [{ mount_accessor: 'acc', counts: 1, alias_identifiers: ['bob'] }]);
    assert.equal(reloaded.list().length, 2);
    await reloaded.unlock('acc', 'bob');
    assert.equal(reloaded.isLocked('acc', 'bob', settings), false);
    await reloaded.forgetMount('other');
    assert.deepEqual(reloaded.list(), []);
    assert.deepEqual(await storage.list(''), []);
  });

  it('reads tune input as Vault sends it and refuses nonsense', () => {
    assert.deepEqual(parseUserLockoutConfig({ lockout_threshold: '20', lockout_duration: '5m', lockout_counter_reset: 30, lockout_disable: 'false' }, undefined), {
      lockout_threshold: 20, lockout_duration: 300, lockout_counter_reset: 30, lockout_disable: false,
    });
    assert.deepEqual(parseUserLockoutConfig({ lockout_duration: '1m' }, { lockout_threshold: 3 }), { lockout_threshold: 3, lockout_duration: 60 });
    assert.throws(() => parseUserLockoutConfig({ lockout_threshold: 'many' }, undefined), /lockout_threshold/);
    assert.throws(() => parseUserLockoutConfig({ lockout_duration: 'soon' }, undefined), /lockout_duration/);
    assert.throws(() => parseUserLockoutConfig({ bogus: 1 }, undefined), /unknown user_lockout_config key "bogus"/);
    assert.throws(() => parseUserLockoutConfig('x', undefined), /must be an object/);
  });
});
