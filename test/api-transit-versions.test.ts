/**
 * Transit over HTTP, continued: derived and convergent keys, versions (rotation, minimum
 * versions, rewrap, trim), data keys, and the flow SOPS's hc_vault key source uses.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { b64, bad, ok, startTransit, unb64, type TransitTest } from './helpers/transit.js';

describe('transit keys over time over HTTP', () => {
  let x: TransitTest;
  const post = (path: string, body: unknown = {}) => x.call('POST', `transit/${path}`, body);
  const encrypt = async (key: string, plaintext: string | Buffer, extra: Record<string, unknown> = {}) =>
    (await x.write(`encrypt/${key}`, { plaintext: b64(plaintext), ...extra })).ciphertext as string;
  const decrypt = async (key: string, ciphertext: string, extra: Record<string, unknown> = {}) =>
    unb64((await x.write(`decrypt/${key}`, { ciphertext, ...extra })).plaintext).toString();

  before(async () => {
    x = await startTransit();
    await x.write('keys/t-ed25519', { type: 'ed25519' });
  });
  after(() => x.t.close());

  describe('derived and convergent keys', () => {
    it('derives a key per context: the context is required, and a wrong one cannot decrypt', async () => {
      await x.write('keys/derived', { derived: true });
      const ct = await encrypt('derived', 'per tenant', { context: b64('tenant-a') });
      assert.equal(await decrypt('derived', ct, { context: b64('tenant-a') }), 'per tenant');
      bad(await post('decrypt/derived', { ciphertext: ct, context: b64('tenant-b') }), /context.*does not match|message authentication failed/);
      bad(await post('decrypt/derived', { ciphertext: ct }), /missing "context"/);
      bad(await post('encrypt/derived', { plaintext: b64('x') }), /missing "context"/);
      const again = await encrypt('derived', 'per tenant', { context: b64('tenant-a') });
      assert.notEqual(again, ct, 'not convergent: random nonces');
    });

    it('encrypts alike for equal plaintext and context when convergent, and differently otherwise', async () => {
      await x.write('keys/conv', { derived: true, convergent_encryption: true, type: 'aes128-gcm96' });
      const key = await x.read('keys/conv');
      assert.equal(key.convergent_encryption_version, 3);
      const a = await encrypt('conv', 'same', { context: b64('c1') });
      assert.equal(await encrypt('conv', 'same', { context: b64('c1') }), a);
      assert.notEqual(await encrypt('conv', 'same', { context: b64('c2') }), a);
      assert.notEqual(await encrypt('conv', 'other', { context: b64('c1') }), a);
      assert.equal(await decrypt('conv', a, { context: b64('c1') }), 'same');
      bad(await post('encrypt/conv', { plaintext: b64('same'), context: b64('c1'), nonce: b64('123456789012') }), /nonce provided when not allowed/);
      await x.write('keys/conv-chacha', { derived: true, convergent_encryption: true, type: 'chacha20-poly1305' });
      const c = await encrypt('conv-chacha', 'same', { context: b64('c1') });
      assert.equal(await encrypt('conv-chacha', 'same', { context: b64('c1') }), c);
    });
  });

  describe('versions, rotation and rewrap', () => {
    it('rotates: new ciphertexts use the new version, old ones still decrypt', async () => {
      await x.write('keys/rot');
      const v1 = await encrypt('rot', 'one');
      const rotated = await x.write('keys/rot/rotate');
      assert.equal(rotated.latest_version, 2);
      assert.deepEqual(Object.keys(rotated.keys), ['1', '2']);
      const v2 = await encrypt('rot', 'two');
      assert.match(v2, /^vault:v2:/);
      assert.equal(await decrypt('rot', v1), 'one');
      assert.equal(await decrypt('rot', v2), 'two');
      assert.match(await encrypt('rot', 'old', { key_version: 1 }), /^vault:v1:/);
      bad(await post('keys/missing/rotate'), /no existing key named "missing"/);
    });

    it('refuses ciphertext below min_decryption_version, and encryption below min_encryption_version', async () => {
      await x.write('keys/mins');
      const v1 = await encrypt('mins', 'one');
      await x.write('keys/mins/rotate');
      await x.write('keys/mins/rotate');
      const cfg = await x.write('keys/mins/config', { min_decryption_version: 2, min_encryption_version: 3 });
      assert.deepEqual([cfg.min_decryption_version, cfg.min_encryption_version], [2, 3]);
      bad(await post('decrypt/mins', { ciphertext: v1 }), /disallowed by policy \(too old\).*version 1 is below min_decryption_version 2/);
      bad(await post('encrypt/mins', { plaintext: b64('x'), key_version: 2 }), /less than the minimum encryption key version/);
      assert.match(await encrypt('mins', 'x'), /^vault:v3:/);
      bad(await post('keys/mins/config', { min_decryption_version: 9 }), /latest key version is 3/);
      bad(await post('keys/mins/config', { min_encryption_version: 1 }), /min_encryption_version \(1\) must be 0 or at least min_decryption_version \(2\)/);
      bad(await post('keys/mins/config', { min_decryption_version: -1 }), /cannot be negative/);
      bad(await post('keys/none/config', { deletion_allowed: true }), /no existing key named "none"/);
      await x.write('keys/mins/config', { min_decryption_version: 1 });
      assert.equal(await decrypt('mins', v1), 'one');
    });

    it('rewraps old ciphertext to the latest version without returning the plaintext', async () => {
      await x.write('keys/rewrap');
      const v1 = await encrypt('rewrap', 'secret payload');
      await x.write('keys/rewrap/rotate');
      const res = await x.write('rewrap/rewrap', { ciphertext: v1 });
      assert.deepEqual(Object.keys(res).sort(), ['ciphertext', 'key_version']);
      assert.equal(res.key_version, 2);
      assert.match(res.ciphertext, /^vault:v2:/);
      assert.equal(await decrypt('rewrap', res.ciphertext), 'secret payload');
      assert.doesNotMatch(JSON.stringify(res), new RegExp(b64('secret payload')));
      await x.write('keys/rewrap/config', { min_decryption_version: 2 });
      bad(await post('rewrap/rewrap', { ciphertext: v1 }), /too old/);
    });

    it('rewraps a batch, failing items alone with 200, as Vault does', async () => {
      await x.write('keys/rewrap-b', { derived: true });
      const ctx = b64('c');
      const a = await encrypt('rewrap-b', 'a', { context: ctx });
      await x.write('keys/rewrap-b/rotate');
      const res = ok(await post('rewrap/rewrap-b', { batch_input: [{ ciphertext: a, context: ctx, reference: 'a' }, { ciphertext: 'x', context: ctx, reference: 'x' }] }), 200);
      const [r0, r1] = res.body!.data!.batch_results as any[];
      assert.match(r0.ciphertext, /^vault:v2:/);
      assert.equal(r0.reference, 'a');
      assert.match(r1.error, /no prefix/);
      assert.equal(await decrypt('rewrap-b', r0.ciphertext, { context: ctx }), 'a');
    });

    it('trims old versions for good, within Vault’s rules', async () => {
      await x.write('keys/trim');
      const v1 = await encrypt('trim', 'one');
      for (let i = 0; i < 3; i++) await x.write('keys/trim/rotate');
      bad(await post('keys/trim/trim', { min_available_version: 2 }), /set min_encryption_version/);
      await x.write('keys/trim/config', { min_decryption_version: 3, min_encryption_version: 4 });
      bad(await post('keys/trim/trim', { min_available_version: 4 }), /cannot be above min_decryption_version/);
      bad(await post('keys/trim/trim', {}), /missing min_available_version/);
      bad(await post('keys/trim/trim', { min_available_version: 0 }), /positive/);
      const trimmed = await x.write('keys/trim/trim', { min_available_version: 3 });
      assert.equal(trimmed.min_available_version, 3);
      assert.deepEqual(Object.keys(trimmed.keys), ['3', '4']);
      bad(await post('keys/trim/trim', { min_available_version: 2 }), /cannot go down/);
      bad(await post('keys/trim/config', { min_decryption_version: 1 }), /trimmed/);
      bad(await post('keys/trim/config', { min_encryption_version: 0 }), /trimmed/);
      bad(await post('decrypt/trim', { ciphertext: v1 }), /too old/);
      assert.equal(await decrypt('trim', await encrypt('trim', 'four')), 'four');
    });
  });

  describe('data keys', () => {
    it('returns a wrapped data key, and the plaintext too under datakey/plaintext', async () => {
      await x.write('keys/dk');
      for (const bits of [128, 256, 512]) {
        const res = await x.write('datakey/plaintext/dk', { bits });
        assert.equal(unb64(res.plaintext).length, bits / 8);
        assert.equal(res.key_version, 1);
        assert.equal((await x.write('decrypt/dk', { ciphertext: res.ciphertext })).plaintext, res.plaintext);
      }
      const wrapped = await x.write('datakey/wrapped/dk');
      assert.equal(wrapped.plaintext, undefined);
      assert.equal(unb64((await x.write('decrypt/dk', { ciphertext: wrapped.ciphertext })).plaintext).length, 32);
      bad(await post('datakey/plaintext/dk', { bits: 100 }), /"bits": 100/);
      bad(await post('datakey/both/dk'), /datakey\/plaintext\/<name> or datakey\/wrapped\/<name>/);
      bad(await post('datakey/wrapped/nokey'), /encryption key not found/);
      bad(await post('datakey/wrapped/t-ed25519'), /does not support encryption/);
    });
  });

  describe('a SOPS-style flow (hc_vault key source)', () => {
    it('encrypts a 32-byte data key with POST transit/encrypt/<key> {plaintext} and decrypts it back', async () => {
      // SOPS creates the key beforehand (or relies on upsert), sends the base64 data key, keeps
      // the ciphertext string in the file, and later posts it to decrypt.
      const dataKey = randomBytes(32);
      const res = ok(await x.call('PUT', 'transit/encrypt/sops', { plaintext: dataKey.toString('base64') }));
      const ciphertext = res.body!.data!.ciphertext as string;
      assert.match(ciphertext, /^vault:v1:/);
      const back = ok(await x.call('PUT', 'transit/decrypt/sops', { ciphertext }));
      assert.deepEqual(unb64(back.body!.data!.plaintext), dataKey);
    });
  });
});
