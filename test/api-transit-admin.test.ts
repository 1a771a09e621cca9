/**
 * Transit key administration over HTTP: export, backup and restore, the key cache and its
 * configuration, scheduled rotation, and what happens to key material at rest and on seal.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { keyStores } from '../src/engines/transit/index.js';
import type { KeyStore } from '../src/engines/transit/key-store.js';
import type { TransitKey } from '../src/engines/transit/transit-key.js';
import { allPhysicalKeys, isZero, privateField, seal, unseal } from './security/helpers.js';
import { b64, bad, ok, startTransit, unb64, type TransitTest } from './helpers/transit.js';

describe('transit key administration over HTTP', () => {
  let x: TransitTest;
  const post = (path: string, b: unknown = {}) => x.call('POST', `transit/${path}`, b);
  const get = (path: string) => x.call('GET', `transit/${path}`);
  const route = () => x.t.server.core.router.get('transit/')!;
  const store = () => keyStores.get(route().backend)!;

  before(async () => {
    x = await startTransit();
  });
  after(() => x.t.close());

  describe('export', () => {
    it('exports nothing private of a key that is not exportable, but public keys of any asymmetric key', async () => {
      await x.write('keys/closed');
      bad(await get('export/encryption-key/closed'), /not exportable/);
      bad(await get('export/hmac-key/closed'), /not exportable/);
      await x.write('keys/closed-ec', { type: 'ecdsa-p256' });
      bad(await get('export/signing-key/closed-ec'), /not exportable/);
      const pub = await x.read('export/public-key/closed-ec');
      assert.match(pub.keys['1'], /^-----BEGIN PUBLIC KEY-----/);
      bad(await get('export/public-key/closed'), /aes256-gcm96 keys have no public key/);
    });

    it('exports each version of an exportable key in Vault’s formats, usable outside Coffer', async () => {
      await x.write('keys/ex-aes', { exportable: true });
      await x.write('keys/ex-aes/rotate');
      const all = await x.read('export/encryption-key/ex-aes');
      assert.deepEqual(Object.keys(all.keys), ['1', '2']);
      assert.deepEqual([all.name, all.type], ['ex-aes', 'aes256-gcm96']);
      assert.equal(unb64(all.keys['2']).length, 32);
      assert.deepEqual((await x.read('export/encryption-key/ex-aes/latest')).keys, { 2: all.keys['2'] });
      assert.deepEqual((await x.read('export/encryption-key/ex-aes/v1')).keys, { 1: all.keys['1'] });
      bad(await get('export/encryption-key/ex-aes/9'), /version 9 does not exist/);
      bad(await get('export/encryption-key/ex-aes/one'), /invalid key version/);
      bad(await get('export/private-key/ex-aes'), /invalid export type "private-key"/);
      bad(await get('export/signing-key/ex-aes'), /not supported for aes256-gcm96/);
      assert.equal((await get('export/encryption-key/missing')).status, 404);
      await x.write('keys/ex-aes/config', { min_decryption_version: 2 });
      assert.deepEqual(Object.keys((await x.read('export/encryption-key/ex-aes')).keys), ['2'], 'versions that may no longer decrypt are not exported');
      bad(await get('export/encryption-key/ex-aes/1'), /below min_decryption_version/);

      for (const [type, what] of [['ecdsa-p384', 'signing-key'], ['rsa-2048', 'signing-key'], ['rsa-2048', 'encryption-key'], ['ed25519', 'signing-key']] as const) {
        await x.write(`keys/ex-${type}`, { type, exportable: true });
        const exported = (await x.read(`export/${what}/ex-${type}/1`)).keys['1'] as string;
        const privateKey =
          type === 'ed25519'
            ? createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: unb64(exported).subarray(0, 32).toString('base64url'), x: unb64(exported).subarray(32).toString('base64url') }, format: 'jwk' })
            : createPrivateKey(exported);
        if (type.startsWith('ecdsa')) assert.match(exported, /^-----BEGIN EC PRIVATE KEY-----/);
        if (type.startsWith('rsa')) assert.match(exported, /^-----BEGIN RSA PRIVATE KEY-----/);
        if (type === 'ed25519') assert.equal(unb64(exported).length, 64);
        // The exported private key matches the published public key.
        const published = (await x.read(`keys/ex-${type}`)).keys['1'].public_key as string;
        const pub = published.startsWith('-----') ? createPublicKey(published) : createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: unb64(published).toString('base64url') }, format: 'jwk' });
        const data = Buffer.from('exported');
        const algorithm = type === 'ed25519' ? null : 'sha256';
        assert.ok(verify(algorithm, data, pub, sign(algorithm, data, privateKey)), `${type} ${what}`);
      }
      const hmac = await x.read('export/hmac-key/ex-ed25519');
      assert.equal(unb64(hmac.keys['1']).length, 32);
    });
  });

  describe('backup and restore', () => {
    it('needs exportable and allow_plaintext_backup to back up', async () => {
      await x.write('keys/nb');
      bad(await get('backup/nb'), /not exportable/);
      await x.write('keys/nb/config', { exportable: true });
      // Vault's status and words (a 500 there, not a fault here): hvac raises InternalServerError on them.
      bad(await get('backup/nb'), /^plaintext backup is disallowed on the policy$/, 500);
      assert.equal((await x.read('keys/nb')).backup_info, undefined, 'a refused backup is not recorded');
      bad(await get('backup/none'), /key "none" not found/);
    });

    it('restores a key with every version and setting, under its name or another', async () => {
      await x.write('keys/bk', { exportable: true, allow_plaintext_backup: true, type: 'chacha20-poly1305' });
      const c1 = (await x.write('encrypt/bk', { plaintext: b64('v1 data') })).ciphertext;
      await x.write('keys/bk/rotate');
      await x.write('keys/bk/config', { min_encryption_version: 2, deletion_allowed: true });
      const c2 = (await x.write('encrypt/bk', { plaintext: b64('v2 data') })).ciphertext;
      const { backup } = await x.read('backup/bk');
      assert.match((await x.read('keys/bk')).backup_info.time, /Z$/);

      // Vault's status and words, as for the refused backup above; the key stays as it was.
      bad(await post('restore', { backup }), /^key "bk" already exists$/, 500);
      assert.equal((await x.read('keys/bk')).restore_info, undefined);
      ok(await post('restore/bk-copy', { backup }), 204);
      const copy = await x.read('keys/bk-copy');
      assert.deepEqual([copy.name, copy.type, copy.latest_version, copy.min_encryption_version, copy.deletion_allowed], ['bk-copy', 'chacha20-poly1305', 2, 2, true]);
      assert.equal(copy.restore_info.version, 2);
      assert.equal(unb64((await x.write('decrypt/bk-copy', { ciphertext: c1 })).plaintext).toString(), 'v1 data');
      assert.equal(unb64((await x.write('decrypt/bk-copy', { ciphertext: c2 })).plaintext).toString(), 'v2 data');

      ok(await x.call('DELETE', 'transit/keys/bk'), 204);
      ok(await post('restore', { backup }), 204);
      assert.equal(unb64((await x.write('decrypt/bk', { ciphertext: c2 })).plaintext).toString(), 'v2 data');
      await x.write('keys/bk/rotate');
      ok(await post('restore', { backup, force: true }), 204);
      assert.equal((await x.read('keys/bk')).latest_version, 2, 'force replaced the newer key');
    });

    it('refuses backups that are damaged or not backups, and names that are paths', async () => {
      bad(await post('restore', {}), /"backup" must be supplied/);
      bad(await post('restore', { backup: 'not base64!' }), /"backup": not valid base64/);
      bad(await post('restore', { backup: b64('{"hello":1}') }), /not a Coffer transit key backup/);
      bad(await post('restore', { backup: b64('not json') }), /not JSON/);
      await x.write('keys/bk2', { exportable: true, allow_plaintext_backup: true, type: 'ecdsa-p256' });
      const { backup } = await x.read('backup/bk2');
      const parsed = JSON.parse(unb64(backup).toString());
      parsed.key.type = 'ecdsa-p384';
      bad(await post('restore/bk2-wrong', { backup: b64(JSON.stringify(parsed)) }), /not a ecdsa-p384 key/);
      parsed.key.type = 'ecdsa-p256';
      parsed.key.name = '../escape';
      bad(await post('restore', { backup: b64(JSON.stringify(parsed)) }), /invalid key name/);
      parsed.key.latest_version = 5;
      bad(await post('restore/bk2-latest', { backup: b64(JSON.stringify(parsed)) }), /latest version 5 is missing/);
      parsed.key.latest_version = 1;
      parsed.key.derived = true;
      bad(await post('restore/bk2-derived', { backup: b64(JSON.stringify(parsed)) }), /derivation is not supported for keys of type ecdsa-p256/);
      parsed.key.derived = false;
      parsed.key.auto_rotate_period = 60;
      bad(await post('restore/bk2-rotate', { backup: b64(JSON.stringify(parsed)) }), /auto_rotate_period/);
      parsed.key.auto_rotate_period = 0;
      parsed.key.min_decryption_version = 3;
      bad(await post('restore/bk2-min', { backup: b64(JSON.stringify(parsed)) }), /min_decryption_version is out of range/);
    });
  });

  describe('cache-config and the key cache', () => {
    it('shows 0 (every key cached) by default and takes 0 or at least 10', async () => {
      assert.deepEqual(await x.read('cache-config'), { size: 0 });
      bad(await post('cache-config', { size: 5 }), /0 \(no limit\) or at least 10/);
      bad(await post('cache-config', { size: -1 }), /"size"/);
      ok(await post('cache-config', { size: 10 }));
      assert.deepEqual(await x.read('cache-config'), { size: 10 });
      for (let i = 0; i < 12; i++) await x.write(`encrypt/cached-${i}`, { plaintext: b64('x') });
      ok(await post('decrypt/cached-0', { ciphertext: (await x.write('encrypt/cached-0', { plaintext: b64('y') })).ciphertext }));
      ok(await post('cache-config', { size: 0 }));
    });

    it('answers encrypt from memory: no storage read once the key is cached', async () => {
      await x.write('keys/hot');
      await x.write('encrypt/hot', { plaintext: b64('warm') });
      const storage = route().storage;
      const original = storage.get;
      let reads = 0;
      storage.get = (key) => {
        reads++;
        return original.call(storage, key);
      };
      try {
        for (let i = 0; i < 20; i++) await x.write('encrypt/hot', { plaintext: b64('hot path') });
      } finally {
        storage.get = original;
      }
      assert.equal(reads, 0);
    });
  });

  describe('scheduled rotation', () => {
    it('rotates a key whose latest version is older than auto_rotate_period, and no other', async () => {
      await x.write('keys/auto', { auto_rotate_period: '1h' });
      await x.write('keys/manual');
      assert.equal((await x.read('keys/auto')).auto_rotate_period, 3600);
      const r = route();
      const periodic = r.backend.periodic!;
      await periodic({ ...r.base, clock: () => Date.now() + 30 * 60_000 });
      assert.equal((await x.read('keys/auto')).latest_version, 1, 'not due yet');
      await periodic({ ...r.base, clock: () => Date.now() + 61 * 60_000 });
      assert.equal((await x.read('keys/auto')).latest_version, 2);
      assert.equal((await x.read('keys/manual')).latest_version, 1);
      await x.write('keys/auto/config', { auto_rotate_period: 0 });
      await periodic({ ...r.base, clock: () => Date.now() + 10 * 3600_000 });
      assert.equal((await x.read('keys/auto')).latest_version, 2, 'turned off');
      bad(await post('keys/auto/config', { auto_rotate_period: 59 }), /at least 1h/);
    });
  });

  describe('key material at rest and across a seal', () => {
    it('stores key material only through the barrier: no physical entry holds it in the clear', async () => {
      await x.write('keys/at-rest', { exportable: true });
      const key = unb64((await x.read('export/encryption-key/at-rest/1')).keys['1']);
      const physical = x.t.server.core.physical;
      for (const k of await allPhysicalKeys(physical)) {
        const value = (await physical.get(k))!;
        assert.equal(value.includes(key), false, `${k} holds the raw key`);
        assert.equal(value.includes(Buffer.from(key.toString('base64'))), false, `${k} holds the base64 key`);
      }
    });

    it('zeroes cached key material when the server seals, and reads the keys again after unsealing', async () => {
      await x.write('keys/sealed-key');
      const ct = (await x.write('encrypt/sealed-key', { plaintext: b64('survives') })).ciphertext;
      const cache = privateField<{ values(): IterableIterator<TransitKey> }>(store() as KeyStore, 'cache');
      const held = [...cache.values()].flatMap((k) => [...k.versions.values()]).flatMap((v) => [v.secret, v.hmacKey]).filter((b): b is Buffer => !!b);
      assert.ok(held.length > 10 && held.every((b) => !isZero(b)));
      await seal(x.t);
      assert.ok(held.every(isZero), 'every cached key buffer is zeroed');
      await unseal(x.t);
      assert.equal(unb64((await x.write('decrypt/sealed-key', { ciphertext: ct })).plaintext).toString(), 'survives');
    });
  });
});
