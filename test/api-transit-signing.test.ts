/**
 * Transit signing, HMAC, hash and random over HTTP. Signatures are checked independently with
 * node:crypto and the key's published public key, not only by the server's own verify.
 */
import assert from 'node:assert/strict';
import { constants, createHash, createHmac, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { b64, bad, ok, startTransit, unb64, type TransitTest } from './helpers/transit.js';

const message = Buffer.from('sign me, as a JWT payload might be');
const NODE_HASH: Record<string, string> = { 'sha2-256': 'sha256', 'sha2-384': 'sha384', 'sha2-512': 'sha512', 'sha3-256': 'sha3-256', sha1: 'sha1', 'sha2-224': 'sha224' };
const body = (sig: string) => sig.replace(/^vault:v\d+:/, '');

describe('transit signing, HMAC, hash and random over HTTP', () => {
  let x: TransitTest;
  const post = (path: string, b: unknown = {}) => x.call('POST', `transit/${path}`, b);
  const publicKey = async (name: string, version = 1): Promise<KeyObject> => {
    const text = (await x.read(`keys/${name}`)).keys[String(version)].public_key as string;
    return text.startsWith('-----') ? createPublicKey(text) : createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: unb64(text).toString('base64url') }, format: 'jwk' });
  };
  const sign = async (name: string, extra: Record<string, unknown> = {}, path = `sign/${name}`) => (await x.write(path, { input: b64(message), ...extra })).signature as string;
  const valid = async (name: string, signature: string, extra: Record<string, unknown> = {}, input = message) =>
    (await x.write(`verify/${name}`, { input: b64(input), signature, ...extra })).valid as boolean;

  before(async () => {
    x = await startTransit();
    for (const type of ['ed25519', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa-2048', 'aes256-gcm96', 'hmac']) await x.write(`keys/${type}`, { type });
  });
  after(() => x.t.close());

  describe('sign and verify', () => {
    it('signs with ed25519: a plain Ed25519 signature of the input, hash_algorithm ignored', async () => {
      const sig = await sign('ed25519', { hash_algorithm: 'sha2-512' });
      assert.match(sig, /^vault:v1:/);
      assert.ok(verify(null, message, await publicKey('ed25519'), unb64(body(sig))));
      assert.equal(await valid('ed25519', sig), true);
      assert.equal(await valid('ed25519', sig, {}, Buffer.from('other')), false);
    });

    for (const curve of ['p256', 'p384', 'p521']) {
      for (const hash of ['sha2-256', 'sha2-384', 'sha2-512', 'sha3-256']) {
        it(`signs with ecdsa-${curve} over ${hash}, ASN.1 and JWS marshaling`, async () => {
          const pub = await publicKey(`ecdsa-${curve}`);
          const der = await sign(`ecdsa-${curve}`, { hash_algorithm: hash });
          assert.ok(verify(NODE_HASH[hash]!, message, pub, unb64(body(der))));
          assert.equal(await valid(`ecdsa-${curve}`, der, { hash_algorithm: hash }), true);
          assert.equal(await valid(`ecdsa-${curve}`, der, { hash_algorithm: hash === 'sha2-256' ? 'sha2-512' : 'sha2-256' }), false, 'another hash does not verify');
          const jws = await sign(`ecdsa-${curve}`, { hash_algorithm: hash, marshaling_algorithm: 'jws' });
          assert.match(body(jws), /^[A-Za-z0-9_-]+$/, 'URL-safe base64 without padding');
          const size = { p256: 32, p384: 48, p521: 66 }[curve]!;
          const raw = Buffer.from(body(jws), 'base64url');
          assert.equal(raw.length, size * 2, 'r || s at the curve size');
          assert.ok(verify(NODE_HASH[hash]!, message, { key: pub, dsaEncoding: 'ieee-p1363' }, raw));
          assert.equal(await valid(`ecdsa-${curve}`, jws, { hash_algorithm: hash, marshaling_algorithm: 'jws' }), true);
        });
      }
    }

    it('takes the hash algorithm from the URL too (sign/:name/:algorithm), before the body', async () => {
      const sig = await sign('ecdsa-p256', { hash_algorithm: 'sha2-256' }, 'sign/ecdsa-p256/sha2-384');
      assert.ok(verify('sha384', message, await publicKey('ecdsa-p256'), unb64(body(sig))));
      assert.equal((await x.write('verify/ecdsa-p256/sha2-384', { input: b64(message), signature: sig })).valid, true);
    });

    for (const hash of ['sha2-256', 'sha2-512', 'sha3-256', 'sha1', 'sha2-224']) {
      it(`signs with rsa-2048 over ${hash}: PSS (the default) and PKCS#1 v1.5`, async () => {
        const pub = await publicKey('rsa-2048');
        const pss = await sign('rsa-2048', { hash_algorithm: hash });
        assert.ok(verify(NODE_HASH[hash]!, message, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, unb64(body(pss))));
        assert.equal(await valid('rsa-2048', pss, { hash_algorithm: hash }), true);
        assert.equal(await valid('rsa-2048', pss, { hash_algorithm: hash, signature_algorithm: 'pkcs1v15' }), false);
        const v15 = await sign('rsa-2048', { hash_algorithm: hash, signature_algorithm: 'pkcs1v15' });
        assert.ok(verify(NODE_HASH[hash]!, message, { key: pub, padding: constants.RSA_PKCS1_PADDING }, unb64(body(v15))));
        assert.equal(await valid('rsa-2048', v15, { hash_algorithm: hash, signature_algorithm: 'pkcs1v15' }), true);
      });
    }

    it('uses the PSS salt length asked for: auto (longest), hash, or a number', async () => {
      const pub = await publicKey('rsa-2048');
      const check = async (salt_length: unknown, saltLength: number) => {
        const sig = await sign('rsa-2048', { salt_length });
        assert.ok(verify('sha256', message, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, unb64(body(sig))), String(salt_length));
        assert.equal(await valid('rsa-2048', sig, { salt_length }), true);
      };
      await check('auto', 256 - 2 - 32);
      await check('hash', 32);
      await check('20', 20);
      await check(0, 256 - 2 - 32);
      bad(await post('sign/rsa-2048', { input: b64(message), salt_length: 'lots' }), /"salt_length"/);
      bad(await post('sign/rsa-2048', { input: b64(message), salt_length: 500 }), /salt_length.*at most 222/);
    });

    it('signs a digest the caller computed (prehashed) with ECDSA and RSA, as cosign does', async () => {
      for (const hash of ['sha2-256', 'sha2-384']) {
        const digest = createHash(NODE_HASH[hash]!).update(message).digest();
        const ec = (await x.write('sign/ecdsa-p256', { input: b64(digest), prehashed: true, hash_algorithm: hash })).signature as string;
        assert.ok(verify(NODE_HASH[hash]!, message, await publicKey('ecdsa-p256'), unb64(body(ec))), 'ECDSA over the digest');
        assert.equal((await x.write('verify/ecdsa-p256', { input: b64(digest), prehashed: true, hash_algorithm: hash, signature: ec })).valid, true);
        const jws = (await x.write('sign/ecdsa-p384', { input: b64(digest), prehashed: true, hash_algorithm: hash, marshaling_algorithm: 'jws' })).signature as string;
        assert.ok(verify(NODE_HASH[hash]!, message, { key: await publicKey('ecdsa-p384'), dsaEncoding: 'ieee-p1363' }, Buffer.from(body(jws), 'base64url')));
        for (const signature_algorithm of ['pss', 'pkcs1v15']) {
          const rsa = (await x.write('sign/rsa-2048', { input: b64(digest), prehashed: true, hash_algorithm: hash, signature_algorithm })).signature as string;
          const padding = signature_algorithm === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
          assert.ok(verify(NODE_HASH[hash]!, message, { key: await publicKey('rsa-2048'), padding }, unb64(body(rsa))), `${signature_algorithm} over the digest`);
          const v = await x.write('verify/rsa-2048', { input: b64(digest), prehashed: true, hash_algorithm: hash, signature_algorithm, signature: rsa });
          assert.equal(v.valid, true);
        }
      }
      bad(await post('sign/rsa-2048', { input: b64('short'), prehashed: true }), /prehashed input is 5 bytes; a sha2-256 digest is 32/);
    });

    it('signs with hash_algorithm none only for prehashed RSA PKCS#1 v1.5', async () => {
      const input = Buffer.from('raw bytes to sign');
      const sig = (await x.write('sign/rsa-2048', { input: b64(input), prehashed: true, hash_algorithm: 'none', signature_algorithm: 'pkcs1v15' })).signature as string;
      assert.equal((await x.write('verify/rsa-2048', { input: b64(input), prehashed: true, hash_algorithm: 'none', signature_algorithm: 'pkcs1v15', signature: sig })).valid, true);
      bad(await post('sign/rsa-2048', { input: b64(input), hash_algorithm: 'none' }), /hash_algorithm=none requires/);
      bad(await post('sign/ecdsa-p256', { input: b64(input), hash_algorithm: 'none', prehashed: true, signature_algorithm: 'pkcs1v15' }), /hash_algorithm=none requires/);
    });

    it('signs with a derived ed25519 key per context and returns that context’s public key', async () => {
      await x.write('keys/ed-derived', { type: 'ed25519', derived: true });
      const ctx = b64('user-7');
      const res = await x.write('sign/ed-derived', { input: b64(message), context: ctx });
      const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: unb64(res.public_key).toString('base64url') }, format: 'jwk' });
      assert.ok(verify(null, message, pub, unb64(body(res.signature))));
      assert.equal(await valid('ed-derived', res.signature, { context: ctx }), true);
      assert.equal(await valid('ed-derived', res.signature, { context: b64('user-8') }), false);
      bad(await post('sign/ed-derived', { input: b64(message) }), /missing "context"/);
      const read = await x.call('GET', `transit/keys/ed-derived?context=${encodeURIComponent(ctx)}`);
      assert.equal(read.body!.data!.keys['1'].public_key, res.public_key);
      assert.equal((await x.read('keys/ed-derived')).keys['1'].public_key, '', 'no public key without a context');
    });

    it('signs and verifies a batch, failing items alone with 200', async () => {
      const res = ok(await post('sign/ecdsa-p256', { batch_input: [{ input: b64('a'), reference: 'a' }, { input: 'bad!', reference: 'b' }, { reference: 'c' }] }), 200);
      const [a, b, c] = res.body!.data!.batch_results as any[];
      assert.match(a.signature, /^vault:v1:/);
      assert.deepEqual([a.reference, a.key_version], ['a', 1]);
      assert.match(b.error, /"input": not valid base64/);
      assert.match(c.error, /missing input/);
      const v = ok(await post('verify/ecdsa-p256', { batch_input: [{ input: b64('a'), signature: a.signature, reference: 'a' }, { input: b64('z'), signature: a.signature }, { input: b64('a'), signature: 'junk' }] }), 200);
      const [va, vz, vj] = v.body!.data!.batch_results as any[];
      assert.deepEqual([va.valid, va.reference, vz.valid], [true, 'a', false]);
      assert.match(vj.error, /invalid signature: no prefix/);
    });

    it('verifies signatures of older versions until min_decryption_version passes them', async () => {
      await x.write('keys/sig-rot', { type: 'ecdsa-p256' });
      const v1 = await sign('sig-rot');
      await x.write('keys/sig-rot/rotate');
      const v2 = await sign('sig-rot');
      assert.match(v2, /^vault:v2:/);
      assert.equal(await valid('sig-rot', v1), true);
      assert.match(await sign('sig-rot', { key_version: 1 }), /^vault:v1:/);
      await x.write('keys/sig-rot/config', { min_decryption_version: 2, min_encryption_version: 2 });
      bad(await post('verify/sig-rot', { input: b64(message), signature: v1 }), /too old/);
      bad(await post('sign/sig-rot', { input: b64(message), key_version: 1 }), /less than the minimum encryption key version/);
      bad(await post('verify/sig-rot', { input: b64(message), signature: v2.replace('vault:v2:', 'vault:v3:') }), /too new/);
    });

    it('answers 400 for keys that do not sign and for bad options or signatures', async () => {
      bad(await post('sign/aes256-gcm96', { input: b64(message) }), /aes256-gcm96 does not support signing/);
      bad(await post('verify/hmac', { input: b64(message), signature: 'vault:v1:AAAA' }), /hmac does not support verification/);
      bad(await post('sign/nokey', { input: b64(message) }), /signing key not found/);
      bad(await post('sign/ecdsa-p256', { input: b64(message), hash_algorithm: 'md5' }), /unsupported hash algorithm "md5"/);
      bad(await post('sign/ecdsa-p256', { input: b64(message), marshaling_algorithm: 'pem' }), /"marshaling_algorithm"/);
      bad(await post('sign/rsa-2048', { input: b64(message), signature_algorithm: 'raw' }), /"signature_algorithm"/);
      bad(await post('sign/ecdsa-p256', {}), /missing input/);
      bad(await post('verify/ecdsa-p256', { input: b64(message) }), /neither a "signature" nor an "hmac"/);
      bad(await post('verify/ecdsa-p256', { input: b64(message), signature: 'vault:v1:AAAA', hmac: 'vault:v1:AAAA' }), /one of "signature" or "hmac"/);
      bad(await post('verify/ecdsa-p256', { input: b64(message), signature: 'vault:v1:!!' }), /not valid standard base64/);
      bad(await post('verify/ecdsa-p256', { input: b64(message), signature: 'vault:v1:' + b64('not der') }), /not a well-formed ECDSA signature/);
      bad(await post('verify/ecdsa-p256', { batch_input: [{ input: b64('a'), signature: 'x' }, { input: b64('a'), hmac: 'x' }] }), /all give a "signature" or all give an "hmac"/);
      bad(await post('verify/ecdsa-p256', { batch_input: [{ input: b64('a'), signature: 'x' }, { input: b64('a') }] }), /missing "signature"/);
      assert.equal(await valid('rsa-2048', 'vault:v1:' + b64('short')), false);
      assert.equal(await valid('ed25519', 'vault:v1:' + b64('short')), false);
    });
  });

  describe('hmac', () => {
    it('HMACs with the key’s HMAC key, any algorithm, in the body or the URL, and verifies', async () => {
      await x.write('keys/mac', { exportable: true });
      const hmacKey = unb64((await x.read('export/hmac-key/mac/1')).keys['1']);
      for (const [algorithm, node] of [['sha2-256', 'sha256'], ['sha2-512', 'sha512'], ['sha3-256', 'sha3-256'], ['sha2-224', 'sha224']]) {
        const expected = `vault:v1:${createHmac(node!, hmacKey).update(message).digest('base64')}`;
        assert.equal((await x.write('hmac/mac', { input: b64(message), algorithm })).hmac, expected);
        assert.equal((await x.write(`hmac/mac/${algorithm}`, { input: b64(message) })).hmac, expected);
        assert.equal((await x.write('verify/mac', { input: b64(message), hmac: expected, hash_algorithm: algorithm })).valid, true);
        assert.equal((await x.write(`verify/mac/${algorithm}`, { input: b64('other'), hmac: expected })).valid, false);
      }
      bad(await post('hmac/mac', { input: b64(message), algorithm: 'md5' }), /unsupported hash algorithm "md5"/);
      bad(await post('hmac/mac', {}), /missing input/);
      bad(await post('hmac/nokey', { input: b64(message) }), /encryption key not found/);
    });

    it('uses an hmac key’s own material, per version, and checks versions', async () => {
      await x.write('keys/mac-key', { type: 'hmac', key_size: 64, exportable: true });
      const key = unb64((await x.read('export/hmac-key/mac-key/1')).keys['1']);
      assert.equal(key.length, 64);
      const h1 = (await x.write('hmac/mac-key', { input: b64(message) })).hmac;
      assert.equal(h1, `vault:v1:${createHmac('sha256', key).update(message).digest('base64')}`);
      await x.write('keys/mac-key/rotate');
      const h2 = (await x.write('hmac/mac-key', { input: b64(message) })).hmac;
      assert.match(h2, /^vault:v2:/);
      assert.match((await x.write('hmac/mac-key', { input: b64(message), key_version: 1 })).hmac, /^vault:v1:/);
      assert.equal((await x.write('verify/mac-key', { input: b64(message), hmac: h1 })).valid, true);
      bad(await post('hmac/mac-key', { input: b64(message), key_version: 3 }), /higher than the latest key version/);
      await x.write('keys/mac-key/config', { min_decryption_version: 2 });
      bad(await post('verify/mac-key', { input: b64(message), hmac: h1 }), /too old/);
    });

    it('HMACs and verifies batches, failing items alone', async () => {
      const res = ok(await post('hmac/aes256-gcm96', { batch_input: [{ input: b64('a'), reference: '1' }, { input: '!' }] }), 200);
      const [a, b] = res.body!.data!.batch_results as any[];
      assert.match(a.hmac, /^vault:v1:/);
      assert.equal(a.reference, '1');
      assert.match(b.error, /not valid base64/);
      const v = ok(await post('verify/aes256-gcm96', { batch_input: [{ input: b64('a'), hmac: a.hmac }, { input: b64('b'), hmac: a.hmac }, { input: b64('a'), hmac: 'nope' }] }), 200);
      const [va, vb, vc] = v.body!.data!.batch_results as any[];
      assert.deepEqual([va.valid, vb.valid], [true, false]);
      assert.match(vc.error, /invalid HMAC: no prefix/);
    });
  });

  describe('hash', () => {
    it('hashes with every SHA-2 and SHA-3 algorithm, hex or base64, in the body or the URL', async () => {
      for (const [algorithm, node] of Object.entries({ 'sha2-224': 'sha224', 'sha2-256': 'sha256', 'sha2-384': 'sha384', 'sha2-512': 'sha512', 'sha3-224': 'sha3-224', 'sha3-256': 'sha3-256', 'sha3-384': 'sha3-384', 'sha3-512': 'sha3-512' })) {
        const hex = createHash(node).update(message).digest('hex');
        assert.equal((await x.write('hash', { input: b64(message), algorithm })).sum, hex);
        assert.equal((await x.write(`hash/${algorithm}`, { input: b64(message), format: 'base64' })).sum, Buffer.from(hex, 'hex').toString('base64'));
      }
      assert.equal((await x.write('hash', { input: b64(message) })).sum, createHash('sha256').update(message).digest('hex'), 'sha2-256 by default');
      bad(await post('hash', { input: b64(message), algorithm: 'sha1' }), /unsupported hash algorithm "sha1"/);
      bad(await post('hash', { input: b64(message), format: 'base32' }), /"format"/);
      bad(await post('hash', { input: 'bad!' }), /"input": not valid base64/);
      bad(await post('hash', {}), /missing input/);
    });
  });

  describe('random', () => {
    it('returns random bytes: 32 base64 by default, any count in the body or URL, hex on request', async () => {
      assert.equal(unb64((await x.write('random')).random_bytes).length, 32);
      assert.equal(unb64((await x.write('random', { bytes: 64 })).random_bytes).length, 64);
      assert.match((await x.write('random/16', { format: 'hex' })).random_bytes, /^[0-9a-f]{32}$/);
      assert.equal(unb64((await x.write('random/platform/8')).random_bytes).length, 8);
      assert.equal(unb64((await x.write('random/all', { bytes: 5 })).random_bytes).length, 5);
      const seal = ok(await post('random/seal/4'));
      assert.match(seal.body!.warnings!.join(), /platform entropy/);
      const a = (await x.write('random')).random_bytes;
      assert.notEqual((await x.write('random')).random_bytes, a);
    });

    it('refuses counts out of range, unknown sources and formats', async () => {
      bad(await post('random', { bytes: 0 }), /less than 1/);
      bad(await post('random/200000'), /more than 131072/);
      bad(await post('random', { bytes: 'many' }), /"bytes"/);
      bad(await post('random/moon/8'), /unsupported entropy source "moon"/);
      bad(await post('random', { format: 'binary' }), /"format"/);
    });
  });
});
