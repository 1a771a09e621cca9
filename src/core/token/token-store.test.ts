import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, MemStorage } from './fixtures.js';
import { boundCidrsAllow, isFinalUse, lookupData, type TokenEntry } from './token-entry.js';
import { TokenStore } from './token-store.js';

const isCoffer400 = (e: unknown) => (e as { status?: number }).status === 400;

describe('TokenStore', () => {
  it('creates hvs. tokens that can be found by value, accessor and hashed id', async () => {
    const { store, root } = await harness();
    const { token, entry } = await store.create({ policies: ['b', 'A', 'a'], parent: root, path: 'auth/token/create', defaultTtl: 60 });
    assert.match(token, /^hvs\.[0-9A-Za-z]{24}$/);
    assert.match(entry.accessor, /^[0-9A-Za-z]{24}$/);
    assert.deepEqual(entry.policies, ['a', 'b', 'default']);
    assert.equal((await store.lookup(token))?.accessor, entry.accessor);
    assert.equal((await store.lookupByAccessor(entry.accessor))?.hashedId, entry.hashedId);
    assert.equal((await store.lookupByHashedId(entry.hashedId))?.accessor, entry.accessor);
    assert.equal(await store.lookup('hvs.nope'), null);
    assert.equal(await store.lookupByAccessor('../id'), null);
    assert.equal(entry.parentHashedId, root.hashedId);
    assert.equal(entry.orphan, false);
  });

  it('never stores the raw token, in keys or values', async () => {
    const { store, storage, root, rootToken } = await harness();
    const tokens = [rootToken];
    for (let i = 0; i < 5; i++) tokens.push((await store.create({ policies: ['x'], parent: root, path: 'p' })).token);
    const byId = await store.create({ policies: ['root'], path: 'auth/token/root', id: 'my-dev-root', orphan: true });
    tokens.push(byId.token);
    for (const [key, value] of storage.data) {
      const text = value.toString('utf8');
      for (const t of tokens) {
        assert.ok(!key.includes(t), `key ${key} holds a token`);
        assert.ok(!text.includes(t), `value of ${key} holds a token`);
      }
    }
    assert.ok([...storage.data.keys()].some((k) => k === `id/${store.hash(rootToken)}`));
  });

  it('serves lookups from storage after clear() (lazy fill)', async () => {
    const { store, root } = await harness();
    const { token, entry } = await store.create({ policies: ['x'], parent: root, path: 'p' });
    store.clear();
    assert.equal((await store.lookupByAccessor(entry.accessor))?.hashedId, entry.hashedId);
    store.clear();
    assert.equal((await store.lookup(token))?.accessor, entry.accessor);
    store.clear();
    assert.ok((await store.load()) >= 2);
  });

  it('revoking a parent revokes children and grandchildren, children first', async () => {
    const { store, root, revoked, storage } = await harness();
    const parent = await store.create({ policies: ['x'], parent: root, path: 'p' });
    const child = await store.create({ policies: ['x'], parent: parent.entry, path: 'p' });
    const grandchild = await store.create({ policies: ['x'], parent: child.entry, path: 'p' });
    const orphan = await store.create({ policies: ['x'], parent: parent.entry, orphan: true, path: 'p' });
    await store.revokeTree(parent.entry);
    for (const t of [parent, child, grandchild]) assert.equal(await store.lookup(t.token), null);
    assert.ok(await store.lookup(orphan.token), 'an orphan survives its creator');
    assert.deepEqual(revoked.map((e) => e.accessor), [grandchild.entry.accessor, child.entry.accessor, parent.entry.accessor]);
    const keys = [...storage.data.keys()];
    for (const t of [parent, child, grandchild]) {
      assert.ok(!keys.some((k) => k.includes(t.entry.hashedId) || k.includes(t.entry.accessor)), 'indexes are gone');
    }
    store.clear();
    assert.equal(await store.lookup(child.token), null, 'not resurrected from storage');
  });

  it('revokeOrphan revokes one token and makes its children orphans', async () => {
    const { store, root, revoked } = await harness();
    const parent = await store.create({ policies: ['x'], parent: root, path: 'p' });
    const child = await store.create({ policies: ['x'], parent: parent.entry, path: 'p' });
    const grandchild = await store.create({ policies: ['x'], parent: child.entry, path: 'p' });
    await store.revokeOrphan(parent.entry);
    assert.equal(await store.lookup(parent.token), null);
    const c = await store.lookup(child.token);
    assert.equal(c?.orphan, true);
    assert.equal(c?.parentHashedId, '');
    assert.equal((await store.lookup(grandchild.token))?.parentHashedId, child.entry.hashedId);
    assert.deepEqual(revoked.map((e) => e.accessor), [parent.entry.accessor]);
    store.clear();
    assert.equal((await store.lookup(child.token))?.orphan, true, 'the change is persisted');
  });

  it('expires tokens by the clock and revokes them in the background', async () => {
    const { store, root, now, revoked } = await harness();
    const { token, entry } = await store.create({ policies: ['x'], parent: root, path: 'p', ttl: 60 });
    const child = await store.create({ policies: ['x'], parent: entry, path: 'p', ttl: 3600 });
    now.ms += 59_000;
    assert.ok(await store.lookup(token));
    now.ms += 1_000;
    assert.equal(await store.lookup(token), null);
    await store.settle();
    assert.deepEqual(revoked.map((e) => e.accessor), [child.entry.accessor, entry.accessor]);
    assert.equal(await store.lookup(child.token), null, 'a child goes with its expired parent');
  });

  it('revokeExpired sweeps expired tokens held in memory', async () => {
    const { store, root, now } = await harness();
    await store.create({ policies: ['x'], parent: root, path: 'p', ttl: 10 });
    const keep = await store.create({ policies: ['x'], parent: root, path: 'p', ttl: 100 });
    now.ms += 11_000;
    assert.equal(await store.revokeExpired(), 1);
    assert.ok(await store.lookup(keep.token));
  });

  it('num_uses 2: two uses succeed, the second is final, the third lookup fails', async () => {
    const { store, root } = await harness();
    const { token } = await store.create({ policies: ['x'], parent: root, path: 'p', numUses: 2 });
    const first = await store.useToken((await store.lookup(token))!);
    assert.equal(first?.numUses, 1);
    assert.equal(isFinalUse(first!), false);
    const second = await store.useToken((await store.lookup(token))!);
    assert.ok(second && isFinalUse(second), 'the request spending the last use still gets an entry');
    assert.equal(await store.lookup(token), null, 'no further request authenticates');
    assert.ok(await store.lookup(token, { includeUsedUp: true }), 'the in-flight request can still see its caller');
    assert.equal(await store.useToken(second), null);
    await store.revokeTree(second);
    assert.equal(await store.lookup(token, { includeUsedUp: true }), null);
  });

  it('unlimited tokens are not written on use', async () => {
    const { store, root, storage } = await harness();
    const { entry } = await store.create({ policies: ['x'], parent: root, path: 'p' });
    const before = storage.data.get(`id/${entry.hashedId}`);
    assert.equal(await store.useToken(entry), entry);
    assert.equal(storage.data.get(`id/${entry.hashedId}`), before);
  });

  it('renew is capped by explicit_max_ttl counted from creation', async () => {
    const { store, root, now } = await harness();
    const { entry } = await store.create({ policies: ['x'], parent: root, path: 'p', ttl: 100, explicitMaxTtl: 300 });
    now.ms += 90_000;
    const renewed = await store.renewWithWarnings(entry, 1000, 86400);
    assert.equal(renewed.entry.expireTime, Date.UTC(2024, 0, 1) + 300_000);
    assert.equal(renewed.warnings.length, 1);
    assert.equal(renewed.entry.lastRenewalTime, Math.floor(now.ms / 1000));
    const plain = await store.renew(entry, 50, 86400);
    assert.equal(plain.expireTime, now.ms + 50_000, 'a smaller increment is taken as asked');
  });

  it('renew is capped by the max TTL since creation; increment 0 means the token ttl', async () => {
    const { store, root, now } = await harness();
    const { entry } = await store.create({ policies: ['x'], parent: root, path: 'p', ttl: 100 });
    now.ms += 50_000;
    assert.equal((await store.renew(entry, 0, 86400)).expireTime, now.ms + 100_000);
    assert.equal((await store.renew(entry, 500, 120)).expireTime, Date.UTC(2024, 0, 1) + 120_000);
  });

  it('periodic tokens renew back to their period, beyond the max TTL', async () => {
    const { store, root, now } = await harness();
    const { entry } = await store.create({ policies: ['x'], parent: root, path: 'p', period: 600, renewable: false, maxTtl: 700 });
    assert.equal(entry.ttl, 600);
    assert.equal(entry.renewable, true);
    for (let i = 0; i < 5; i++) {
      now.ms += 500_000;
      const renewed = await store.renew(entry, 10, 700);
      assert.equal(renewed.expireTime, now.ms + 600_000);
    }
  });

  it('refuses to renew a non-renewable token', async () => {
    const { store, root } = await harness();
    const { entry } = await store.create({ policies: ['x'], parent: root, path: 'p', ttl: 100, renewable: false });
    await assert.rejects(store.renew(entry, 10, 0), isCoffer400);
  });

  it('root tokens never expire, are not renewable, and a chosen dev id works', async () => {
    const { store, now } = await harness();
    const { token, entry } = await store.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', ttl: 0, id: 'root', orphan: true });
    assert.equal(token, 'root');
    assert.deepEqual(entry.policies, ['root']);
    assert.equal(entry.expireTime, 0);
    assert.equal(entry.renewable, false);
    now.ms += 10 * 365 * 86400_000;
    assert.equal((await store.lookup('root'))?.accessor, entry.accessor);
    assert.ok(store.tokensEqual('root', 'root'));
    assert.ok(!store.tokensEqual('root', 'roo'));
    await assert.rejects(store.create({ policies: ['root'], path: 'p', id: 'root' }), isCoffer400);
    await assert.rejects(store.create({ policies: ['root'], path: 'p', id: 'has space' }), isCoffer400);
  });

  it('a revocation racing a storage read never lets the read bring the token back', async () => {
    const storage = new MemStorage();
    let gate: (() => void) | undefined;
    const slow: typeof storage = Object.assign(Object.create(storage) as MemStorage, {
      get: async (key: string) => {
        const value = await storage.get(key);
        if (key.startsWith('id/') && !gate && armed) await new Promise<void>((r) => (gate = r));
        return value;
      },
    });
    let armed = false;
    const store = new TokenStore({ storage: slow, salt: Buffer.alloc(32, 1), onRevoke: async () => {} });
    const { token, entry } = await store.create({ policies: ['x'], path: 'p', orphan: true, ttl: 100 });
    store.clear();
    armed = true;
    const pending = store.lookup(token);
    await new Promise((r) => setImmediate(r));
    await store.revokeTree(entry);
    gate!();
    assert.equal(await pending, null);
    assert.equal(await store.lookup(token), null);
  });

  it('tidy revokes children of vanished parents and drops dangling indexes', async () => {
    const { store, root, storage } = await harness();
    const parent = await store.create({ policies: ['x'], parent: root, path: 'p' });
    const child = await store.create({ policies: ['x'], parent: parent.entry, path: 'p' });
    await storage.delete(`id/${parent.entry.hashedId}`); // as if a crash cut a revocation short
    await storage.put('accessor/dangling', Buffer.from('f'.repeat(64)));
    store.clear();
    const report = await store.tidy();
    assert.equal(report.revokedTokens, 1);
    assert.ok(report.removedAccessorIndexes >= 2);
    assert.equal(await store.lookup(child.token), null);
    assert.equal(await storage.get('accessor/dangling'), null);
  });

  it('lookupData uses integers and RFC3339 times', async () => {
    const { store, root, now } = await harness();
    const { token, entry } = await store.create({ policies: ['x'], parent: root, path: 'auth/token/create', ttl: 100, meta: { a: 'b' } });
    now.ms += 1_400;
    const data = store.lookupData(entry, token);
    for (const k of ['creation_time', 'creation_ttl', 'explicit_max_ttl', 'num_uses', 'ttl']) {
      assert.ok(Number.isInteger(data[k]), `${k} is an integer`);
    }
    assert.equal(data.ttl, 99);
    assert.equal(data.id, token);
    assert.equal(data.expire_time, '2024-01-01T00:01:40.000Z');
    assert.equal(data.issue_time, '2024-01-01T00:00:00.000Z');
    assert.deepEqual(data.meta, { a: 'b' });
    assert.equal(store.lookupData(entry).id, '');
    const rootData = lookupData(root as TokenEntry, now.ms);
    assert.equal(rootData.expire_time, null);
    assert.equal(rootData.meta, null);
    assert.equal(rootData.ttl, 0);
    const auth = store.authBlock(token, entry);
    assert.equal(auth.lease_duration, 99);
    assert.equal(auth.metadata?.a, 'b');
    assert.equal(store.authBlock('root', root).metadata, null);
  });

  it('bound CIDRs allow only addresses inside a block', () => {
    const entry = { boundCidrs: ['10.0.0.0/8', '::1/128'] } as TokenEntry;
    assert.ok(boundCidrsAllow(entry, '10.1.2.3'));
    assert.ok(boundCidrsAllow(entry, '::ffff:10.1.2.3'));
    assert.ok(boundCidrsAllow(entry, '::1'));
    assert.ok(!boundCidrsAllow(entry, '192.168.0.1'));
    assert.ok(!boundCidrsAllow(entry, undefined));
    assert.ok(boundCidrsAllow({} as TokenEntry, undefined));
  });
});
