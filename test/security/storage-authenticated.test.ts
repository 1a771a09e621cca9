/**
 * Security invariant: storage entries are authenticated. Entries edited, cut, swapped or
 * moved in the physical backend are detected on read (and on unseal for the keyring and the
 * wrapped root key), and answered with a bare 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { allPhysicalKeys, assertErrorBody, mountKv1, seal, sealCycle, unseal } from './helpers.js';

describe('Storage entries are authenticated: tampering is detected', () => {
  let t: TestServer;
  let kvKey = '';
  let otherKey = '';
  let cubbyKey = '';
  let kvPrefix = '';
  const KV_PLAIN = 'tamper-plaintext-7c1e';
  const CUBBY_PLAIN = 'cubby-plaintext-31ab';

  before(async () => {
    t = await startDevServer();
    await mountKv1(t.root);
    await t.root.write('kv1/tamper-me', { password: KV_PLAIN });
    await t.root.write('kv1/other', { password: 'other-plaintext-99' });
    await t.root.write('cubbyhole/tamper-me', { password: CUBBY_PLAIN });
    const mounts = (await t.root.read('sys/mounts'))!.data! as Record<string, { uuid: string }>;
    kvPrefix = `logical/${mounts['kv1/']!.uuid}/`;
    const cubbyPrefix = `logical/${mounts['cubbyhole/']!.uuid}/`;
    const keys = await allPhysicalKeys(t.server.core.physical);
    kvKey = `${kvPrefix}tamper-me`;
    otherKey = `${kvPrefix}other`;
    cubbyKey = keys.find((k) => k.startsWith(cubbyPrefix) && k.endsWith('/tamper-me'))!;
    for (const k of [kvKey, otherKey, cubbyKey]) assert.ok(keys.includes(k), `physical key ${k} exists`);
  });
  after(() => t.close());

  it('stores no plaintext value in the physical backend', async () => {
    const { physical } = t.server.core;
    for (const key of await allPhysicalKeys(physical)) {
      const text = (await physical.get(key))!.toString('latin1');
      for (const plain of [KV_PLAIN, CUBBY_PLAIN, 'other-plaintext-99']) assert.ok(!text.includes(plain), `${key} holds plaintext`);
    }
  });

  const mutations: [string, (entry: Buffer, other: Buffer) => Buffer][] = [
    ['one flipped bit in the ciphertext', (e) => flip(e, 17)],
    ['one flipped bit in the GCM tag', (e) => flip(e, e.length - 1)],
    ['one flipped bit in the nonce', (e) => flip(e, 8)],
    ['a different key term', (e) => Buffer.concat([e.subarray(0, 1), Buffer.from([0, 0, 0, 9]), e.subarray(5)])],
    ['term 0 (the root key\'s)', (e) => Buffer.concat([e.subarray(0, 1), Buffer.from([0, 0, 0, 0]), e.subarray(5)])],
    ['an unknown format version', (e) => Buffer.concat([Buffer.from([9]), e.subarray(1)])],
    ['one byte cut off', (e) => e.subarray(0, e.length - 1)],
    ['fewer bytes than any entry has', (e) => e.subarray(0, 20)],
    ['nothing at all', () => Buffer.alloc(0)],
    ["another entry's bytes copied over it", (_e, other) => Buffer.from(other)],
    ['plaintext JSON in its place', () => Buffer.from(JSON.stringify({ password: 'injected-by-attacker' }))],
  ];

  it('answers 500 "internal error" and no data for every kind of edited kv entry', async () => {
    const { physical } = t.server.core;
    const original = (await physical.get(kvKey))!;
    const other = (await physical.get(otherKey))!;
    try {
      for (const [name, mutate] of mutations) {
        await physical.put(kvKey, mutate(Buffer.from(original), other));
        await sealCycle(t);
        const res = await t.root.raw('GET', 'kv1/tamper-me');
        assert.equal(res.status, 500, `${name}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.deepEqual(res.body, { errors: ['internal error'] }, name);
        const list = await t.root.raw('PUT', 'kv1/tamper-me-sibling', { v: 1 });
        assert.equal(list.status, 204, `${name}: the mount still serves other entries`);
      }
    } finally {
      await physical.put(kvKey, original);
    }
    await sealCycle(t);
    assert.equal((await t.root.read('kv1/tamper-me'))!.data!.password, KV_PLAIN, 'the restored entry reads again');
  });

  it('answers 500 and no data for an edited cubbyhole entry', async () => {
    const { physical } = t.server.core;
    const original = (await physical.get(cubbyKey))!;
    const other = (await physical.get(otherKey))!;
    try {
      for (const [name, mutate] of [mutations[0]!, mutations[9]!]) {
        await physical.put(cubbyKey, mutate(Buffer.from(original), other));
        await sealCycle(t);
        const res = await t.root.raw('GET', 'cubbyhole/tamper-me');
        assert.equal(res.status, 500, name);
        assert.deepEqual(res.body, { errors: ['internal error'] }, name);
      }
    } finally {
      await physical.put(cubbyKey, original);
    }
    await sealCycle(t);
    assert.equal((await t.root.read('cubbyhole/tamper-me'))!.data!.password, CUBBY_PLAIN);
  });

  it('answers 500 and no data for an entry moved or copied to another key', async () => {
    const { physical } = t.server.core;
    await physical.put(`${kvPrefix}moved-here`, (await physical.get(kvKey))!);
    await sealCycle(t);
    const res = await t.root.raw('GET', 'kv1/moved-here');
    assert.equal(res.status, 500);
    assert.ok(!JSON.stringify(res.body).includes(KV_PLAIN));
    assert.equal((await t.root.read('kv1/tamper-me'))!.data!.password, KV_PLAIN);
  });

  it('refuses to unseal with an edited keyring or wrapped root key, and stays sealed', async () => {
    const { physical } = t.server.core;
    for (const key of ['core/keyring', 'core/root-key']) {
      const original = (await physical.get(key))!;
      await seal(t);
      // The barrier caches the keyring's ciphertext even while sealed (seal-status reads it);
      // barrier.seal() on a sealed barrier only drops that cache, so each read below sees storage.
      const dropCache = () => t.server.core.barrier.seal();
      try {
        await physical.put(key, flip(original, original.length - 3));
        dropCache();
        const res = await t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey });
        assert.ok(res.status >= 400, `${key}: unseal answered ${res.status} ${JSON.stringify(res.body)}`);
        assertErrorBody(res, key);
        assert.ok(!JSON.stringify(res.body).includes(t.server.dev!.unsealKey));
        assert.equal((await t.anon.raw('GET', 'sys/seal-status')).body!.sealed, true, `${key}: unsealed with a tampered entry`);
      } finally {
        await physical.put(key, original);
        dropCache();
      }
      await unseal(t);
    }
    assert.equal((await t.root.read('kv1/tamper-me'))!.data!.password, KV_PLAIN);
  });
});

function flip(entry: Buffer, at: number): Buffer {
  const out = Buffer.from(entry);
  out[at] = out[at]! ^ 0x01;
  return out;
}
