/**
 * The transit engine over HTTP: keys, encryption and decryption of every encrypting key type,
 * upsert, batches, and the 400s of bad input. Versions, derivation and data keys are in
 * api-transit-versions.test.ts.
 */
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { b64, bad, ok, startTransit, unb64, type TransitTest } from './helpers/transit.js';

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

describe('transit secrets engine over HTTP', () => {
  let x: TransitTest;
  const post = (path: string, body: unknown = {}) => x.call('POST', `transit/${path}`, body);
  const encrypt = async (key: string, plaintext: string | Buffer, extra: Record<string, unknown> = {}) =>
    (await x.write(`encrypt/${key}`, { plaintext: b64(plaintext), ...extra })).ciphertext as string;
  const decrypt = async (key: string, ciphertext: string, extra: Record<string, unknown> = {}) =>
    unb64((await x.write(`decrypt/${key}`, { ciphertext, ...extra })).plaintext).toString();

  before(async () => {
    x = await startTransit();
  });
  after(() => x.t.close());

  describe('keys', () => {
    it('creates a key of each type and shows its settings, capabilities and versions, never its material', async () => {
      const expect: Record<string, [boolean, boolean, boolean]> = {
        'aes128-gcm96': [true, false, true],
        'aes256-gcm96': [true, false, true],
        'chacha20-poly1305': [true, false, true],
        ed25519: [false, true, true],
        'ecdsa-p256': [false, true, false],
        'ecdsa-p384': [false, true, false],
        'ecdsa-p521': [false, true, false],
        'rsa-2048': [true, true, false],
        hmac: [false, false, false],
      };
      for (const [type, [enc, sign, derive]] of Object.entries(expect)) {
        const created = await x.write(`keys/t-${type}`, { type });
        const read = await x.read(`keys/t-${type}`);
        assert.deepEqual(created, read);
        assert.equal(read.type, type);
        assert.equal(read.name, `t-${type}`);
        assert.deepEqual([read.supports_encryption, read.supports_decryption, read.supports_signing, read.supports_derivation], [enc, enc, sign, derive], type);
        assert.deepEqual(
          [read.latest_version, read.min_decryption_version, read.min_encryption_version, read.min_available_version, read.deletion_allowed, read.exportable],
          [1, 1, 0, 0, false, false],
        );
        const v1 = read.keys['1'];
        if (['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'hmac'].includes(type)) {
          assert.ok(Number.isInteger(v1) && Math.abs(v1 - Date.now() / 1000) < 60, 'symmetric versions show their creation in Unix seconds');
        } else {
          assert.match(v1.creation_time, TIME);
          assert.ok(v1.public_key.length > 0);
          if (type.startsWith('ecdsa') || type.startsWith('rsa')) assert.match(v1.public_key, /^-----BEGIN PUBLIC KEY-----\n/);
          if (type === 'ed25519') assert.equal(unb64(v1.public_key).length, 32);
        }
        const text = JSON.stringify(read);
        assert.doesNotMatch(text, /PRIVATE KEY|"key":|hmac_key/);
      }
      assert.equal((await x.read('keys/t-hmac')).key_size, 32);
    });

    it('lists key names, with paging', async () => {
      for (const n of ['list-a', 'list-b', 'list-c']) await x.write(`keys/${n}`);
      const all = (await x.call('LIST', 'transit/keys')).body!.data!.keys as string[];
      assert.ok(['list-a', 'list-b', 'list-c'].every((n) => all.includes(n)));
      assert.deepEqual(all, [...all].sort());
      const page = ok(await x.call('GET', 'transit/keys?list=true&after=list-a&limit=1')).body!.data!.keys;
      assert.deepEqual(page, ['list-b']);
    });

    it('leaves an existing key as it is when created again, with a warning', async () => {
      await x.write('keys/again', { type: 'aes128-gcm96' });
      const res = ok(await post('keys/again', { type: 'ed25519' }));
      assert.equal(res.body!.data!.type, 'aes128-gcm96');
      assert.match(res.body!.warnings!.join(), /already existed/);
    });

    it('answers 404 for a key that does not exist', async () => {
      assert.equal((await x.call('GET', 'transit/keys/nope')).status, 404);
    });

    it('refuses impossible key settings with 400s that say why', async () => {
      bad(await post('keys/b1', { type: 'aes512' }), /unknown key type "aes512"/);
      bad(await post('keys/b2', { convergent_encryption: true }), /convergent encryption requires derivation/);
      bad(await post('keys/b3', { type: 'ecdsa-p256', derived: true }), /derivation is not supported for keys of type ecdsa-p256/);
      bad(await post('keys/b4', { type: 'ed25519', derived: true, convergent_encryption: true }), /convergent encryption is not supported for keys of type ed25519/);
      bad(await post('keys/b5', { auto_rotate_period: '30m' }), /auto_rotate_period.*at least 1h/);
      bad(await post('keys/b6', { type: 'hmac', key_size: 16 }), /key_size.*32 to 512/);
      bad(await post('keys/b7', { key_size: 64 }), /key_size is only for hmac keys/);
      bad(await post('keys/b8', { derived: 'maybe' }), /"derived"/);
      bad(await post('keys/bad%20name'), /"name"/);
      assert.equal((await x.call('GET', 'transit/keys/b1')).status, 404, 'nothing was created');
    });

    it('deletes a key only once deletion_allowed is set', async () => {
      await x.write('keys/doomed');
      const ct = await encrypt('doomed', 'bye');
      bad(await x.call('DELETE', 'transit/keys/doomed'), /deletion is not allowed for key "doomed"/);
      await x.write('keys/doomed/config', { deletion_allowed: true });
      ok(await x.call('DELETE', 'transit/keys/doomed'), 204);
      assert.equal((await x.call('GET', 'transit/keys/doomed')).status, 404);
      bad(await post('decrypt/doomed', { ciphertext: ct }), /encryption key not found/);
      bad(await x.call('DELETE', 'transit/keys/doomed'), /not found/);
    });
  });

  describe('encrypt and decrypt', () => {
    for (const type of ['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'rsa-2048']) {
      it(`round-trips with ${type}: vault:v1: ciphertexts, fresh each time`, async () => {
        await x.write(`keys/rt-${type}`, { type });
        const a = await encrypt(`rt-${type}`, 'attack at dawn');
        const b = await encrypt(`rt-${type}`, 'attack at dawn');
        assert.match(a, /^vault:v1:[A-Za-z0-9+/]+=*$/);
        assert.notEqual(a, b, 'random nonces (or OAEP padding)');
        assert.equal(await decrypt(`rt-${type}`, a), 'attack at dawn');
        const empty = await encrypt(`rt-${type}`, '');
        assert.equal(await decrypt(`rt-${type}`, empty), '');
      });
    }

    it('encrypts with rsa-3072 and rsa-4096, and refuses plaintext longer than OAEP allows', async () => {
      for (const type of ['rsa-3072', 'rsa-4096']) {
        await x.write(`keys/rt-${type}`, { type });
        assert.equal(await decrypt(`rt-${type}`, await encrypt(`rt-${type}`, 'big modulus')), 'big modulus');
      }
      bad(await post('encrypt/rt-rsa-2048', { plaintext: b64(Buffer.alloc(191)) }), /at most 190/);
    });

    it('makes ciphertexts in Vault’s layout: nonce, ciphertext, tag (checked with node:crypto and the exported key)', async () => {
      await x.write('keys/layout', { exportable: true });
      const ct = await encrypt('layout', 'layout check');
      const key = unb64((await x.read('export/encryption-key/layout/1')).keys['1']);
      const blob = unb64(ct.slice('vault:v1:'.length));
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      d.setAuthTag(blob.subarray(blob.length - 16));
      const plain = Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]);
      assert.equal(plain.toString(), 'layout check');
    });

    it('authenticates associated data, and refuses it for keys that are not AEAD', async () => {
      await x.write('keys/aad');
      const ct = await encrypt('aad', 'with aad', { associated_data: b64('header') });
      assert.equal(await decrypt('aad', ct, { associated_data: b64('header') }), 'with aad');
      bad(await post('decrypt/aad', { ciphertext: ct, associated_data: b64('other') }), /message authentication failed/);
      bad(await post('decrypt/aad', { ciphertext: ct }), /message authentication failed/);
      bad(await post('encrypt/rt-rsa-2048', { plaintext: b64('x'), associated_data: b64('h') }), /associated_data is only for AEAD key types/);
    });

    it('creates a missing key on first encrypt (upsert): aes256-gcm96, or the AEAD type asked for', async () => {
      const ct = await encrypt('upserted', 'first use');
      assert.equal((await x.read('keys/upserted')).type, 'aes256-gcm96');
      assert.equal(await decrypt('upserted', ct), 'first use');
      await encrypt('upserted-chacha', 'x', { type: 'chacha20-poly1305' });
      assert.equal((await x.read('keys/upserted-chacha')).type, 'chacha20-poly1305');
      bad(await post('encrypt/upserted-ec', { plaintext: b64('x'), type: 'ecdsa-p256' }), /ecdsa-p256 cannot be created by encrypt/);
      bad(await post('encrypt/upserted-bad', { plaintext: b64('x'), type: 'nope' }), /unknown key type "nope"/);
      bad(await post('encrypt/upserted-conv', { plaintext: b64('x'), convergent_encryption: true }), /convergent encryption requires derivation.*context/);
      assert.equal((await x.call('GET', 'transit/keys/upserted-ec')).status, 404);
    });

    it('creates a derived (and convergent) key on first encrypt when a context is sent', async () => {
      const ctx = b64('tenant-1');
      await encrypt('upserted-conv2', 'x', { context: ctx, convergent_encryption: true });
      const key = await x.read('keys/upserted-conv2');
      assert.deepEqual([key.derived, key.convergent_encryption, key.kdf], [true, true, 'hkdf_sha256']);
    });

    it('refuses a context longer than 1024 bytes with a 400 on every derived operation, and takes 1024', async () => {
      await x.write('keys/long-ctx', { derived: true });
      await x.write('keys/long-ctx-ed', { type: 'ed25519', derived: true });
      const long = b64('c'.repeat(1025));
      const tooLong = /"context": 1025 bytes decoded; a derived key takes a context of at most 1024 bytes/;
      bad(await post('encrypt/long-ctx', { plaintext: b64('x'), context: long }), tooLong);
      bad(await post('datakey/wrapped/long-ctx', { context: long }), tooLong);
      bad(await post('sign/long-ctx-ed', { input: b64('x'), context: long }), tooLong);
      const fine = await encrypt('long-ctx', 'x', { context: b64('c'.repeat(1024)) });
      assert.match(fine, /^vault:v1:/);
    });

    it('needs the create capability to upsert, and only update to encrypt with an existing key', async () => {
      await x.write('keys/acl-existing');
      ok(await x.call('PUT', 'sys/policies/acl/enc-only', { policy: 'path "transit/encrypt/*" { capabilities = ["update"] }' }), 204);
      const token = ok(await x.call('POST', 'auth/token/create', { policies: ['enc-only'] })).body!.auth as unknown as { client_token: string };
      const client = x.t.client(token.client_token);
      ok(await x.call('POST', 'transit/encrypt/acl-existing', { plaintext: b64('x') }, client));
      assert.equal((await x.call('POST', 'transit/encrypt/acl-new', { plaintext: b64('x') }, client)).status, 403);
      assert.equal((await x.call('GET', 'transit/keys/acl-new')).status, 404);
    });

    it('refuses to create keys on encrypt once config/keys disables upsert', async () => {
      assert.deepEqual(await x.write('config/keys', { disable_upsert: true }), { disable_upsert: true });
      assert.deepEqual(await x.read('config/keys'), { disable_upsert: true });
      bad(await post('encrypt/no-upsert', { plaintext: b64('x') }), /config\/keys disables creating keys on encrypt/);
      await x.write('config/keys', { disable_upsert: false });
      ok(await post('encrypt/no-upsert', { plaintext: b64('x') }));
    });

    it('answers 400 naming the problem for bad input', async () => {
      await x.write('keys/inputs');
      const good = await encrypt('inputs', 'fine');
      bad(await post('encrypt/inputs', {}), /missing plaintext to encrypt/);
      bad(await post('encrypt/inputs', { plaintext: 'not base64!' }), /"plaintext": not valid base64/);
      bad(await post('encrypt/inputs', { plaintext: 42 }), /"plaintext"/);
      bad(await post('encrypt/inputs', { plaintext: b64('x'), key_version: 7 }), /higher than the latest key version/);
      bad(await post('encrypt/inputs', { plaintext: b64('x'), key_version: -1 }), /negative/);
      bad(await post('encrypt/inputs', { plaintext: b64('x'), nonce: b64('123456789012') }), /nonce provided when not allowed/);
      bad(await post('decrypt/inputs', {}), /missing ciphertext to decrypt/);
      bad(await post('decrypt/inputs', { ciphertext: 'garbage' }), /invalid ciphertext: no prefix/);
      bad(await post('decrypt/inputs', { ciphertext: 'vault:vX:abc' }), /version number could not be decoded/);
      bad(await post('decrypt/inputs', { ciphertext: 'vault:v1:!!!' }), /could not decode base64/);
      bad(await post('decrypt/inputs', { ciphertext: 'vault:v9:' + good.slice(9) }), /version 9 is too new/);
      bad(await post('decrypt/inputs', { ciphertext: 'vault:v1:' + b64('short') }), /unable to decrypt/);
      const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      bad(await post('decrypt/inputs', { ciphertext: tampered }), /message authentication failed/);
      bad(await post('decrypt/unknown-key', { ciphertext: good }), /encryption key not found: no key named "unknown-key"/);
      bad(await post('decrypt/t-ecdsa-p256', { ciphertext: good }), /ecdsa-p256 does not support decryption/);
      bad(await post('encrypt/t-ed25519', { plaintext: b64('x') }), /ed25519 does not support encryption/);
      bad(await post('encrypt/inputs', { plaintext: b64('x'), context: 'not base64!' }), /"context": not valid base64/);
    });
  });

  describe('batches', () => {
    it('encrypts and decrypts a batch in order, echoing references', async () => {
      await x.write('keys/batch');
      const items = Array.from({ length: 20 }, (_, i) => ({ plaintext: b64(`item ${i}`), reference: `r${i}` }));
      const enc = ok(await post('encrypt/batch', { batch_input: items }), 200).body!.data!.batch_results as any[];
      assert.equal(enc.length, 20);
      enc.forEach((r, i) => {
        assert.equal(r.reference, `r${i}`);
        assert.equal(r.key_version, 1);
        assert.equal(r.error, undefined);
      });
      const dec = ok(await post('decrypt/batch', { batch_input: enc.map((r) => ({ ciphertext: r.ciphertext, reference: r.reference })) }), 200).body!.data!
        .batch_results as any[];
      dec.forEach((r, i) => assert.deepEqual([unb64(r.plaintext).toString(), r.reference], [`item ${i}`, `r${i}`]));
    });

    it('answers a batch with failed items 400, every item in place with its own error, as Vault does', async () => {
      const good = await encrypt('batch', 'good');
      const res = await post('encrypt/batch', {
        batch_input: [{ plaintext: b64('a'), reference: 'ok' }, { plaintext: 'bad!', reference: 'bad64' }, 'not an object', { reference: 'missing' }, { plaintext: b64('b'), key_version: 5 }],
      });
      assert.equal(res.status, 400);
      const results = res.body!.data!.batch_results as any[];
      assert.match(results[0].ciphertext, /^vault:v1:/);
      assert.equal(results[0].reference, 'ok');
      assert.match(results[1].error, /"plaintext": not valid base64/);
      assert.equal(results[1].reference, 'bad64');
      assert.equal(results[1].ciphertext, undefined);
      assert.match(results[2].error, /batch item must be an object/);
      assert.match(results[3].error, /missing plaintext/);
      assert.match(results[4].error, /higher than the latest key version/);

      const dec = await post('decrypt/batch', { batch_input: [{ ciphertext: good }, { ciphertext: 'vault:v1:AAAA' }, { ciphertext: 'nope' }] });
      assert.equal(dec.status, 400);
      const d = dec.body!.data!.batch_results as any[];
      assert.equal(unb64(d[0].plaintext).toString(), 'good');
      assert.match(d[1].error, /unable to decrypt/);
      assert.match(d[2].error, /no prefix/);
      assert.equal(d[1].plaintext, '');
    });

    it('answers partial_failure_response_code when some items succeed, and 400 when none do', async () => {
      const mixed = await post('encrypt/batch', { batch_input: [{ plaintext: b64('a') }, { plaintext: '!' }], partial_failure_response_code: 207 });
      assert.equal(mixed.status, 207);
      assert.equal((mixed.body!.data!.batch_results as any[]).length, 2);
      const allBad = await post('encrypt/batch', { batch_input: [{ plaintext: '!' }], partial_failure_response_code: 207 });
      assert.equal(allBad.status, 400);
      const silly = await post('encrypt/batch', { batch_input: [{ plaintext: b64('a') }, { plaintext: '!' }], partial_failure_response_code: 42 });
      assert.equal(silly.status, 400);
      assert.match(silly.body!.warnings!.join(), /not an HTTP status/);
    });

    it('refuses a batch that is empty, not a list, or mixes items with and without a context', async () => {
      bad(await post('encrypt/batch', { batch_input: [] }), /missing batch input/);
      bad(await post('encrypt/batch', { batch_input: 'x' }), /"batch_input"/);
      bad(await post('encrypt/batch', { batch_input: [{ plaintext: b64('a'), context: b64('c') }, { plaintext: b64('b') }] }), /context should be set either in all/);
    });

    it('encrypts and decrypts a 1,000-item batch', async () => {
      const items = Array.from({ length: 1000 }, (_, i) => ({ plaintext: randomBytes(200).toString('base64'), reference: String(i) }));
      const enc = ok(await post('encrypt/batch', { batch_input: items }), 200).body!.data!.batch_results as any[];
      const dec = ok(await post('decrypt/batch', { batch_input: enc.map((r) => ({ ciphertext: r.ciphertext })) }), 200).body!.data!.batch_results as any[];
      dec.forEach((r, i) => assert.equal(r.plaintext, items[i]!.plaintext));
    });
  });
});
