import assert from 'node:assert/strict';
import { constants, createECDH, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeDer, decodeP1363, encodeDer, encodeP1363 } from './ecdsa-der.js';
import { curveParameters, ecdsaSignDigest, ecdsaVerifyDigest } from './ecdsa-prehashed.js';
import { hashAlgorithm, SIGNING_HASH_NAMES, type HashName } from './hash-algorithms.js';
import { rsaSignDigest, rsaVerifyDigest } from './rsa-prehashed.js';

/**
 * Key pairs parsed from DER, as the engine makes them: on Node 20 a KeyObject straight from
 * generateKeyPairSync deadlocks a JWK export when the GC frees the generation job.
 */
function keyPair(type: 'ec' | 'rsa', opts: { namedCurve?: string; modulusLength?: number }): { privateKey: KeyObject; publicKey: KeyObject } {
  const der = generateKeyPairSync(type as 'ec', { ...(opts as { namedCurve: string }), privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
  const privateKey = createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const message = Buffer.from('the quick brown fox jumps over the lazy dog');
const digestOf = (name: HashName) => createHash(hashAlgorithm(name, SIGNING_HASH_NAMES, 'h').node).update(message).digest();

describe('ECDSA over a given digest', () => {
  for (const [curve, size] of [['prime256v1', 32], ['secp384r1', 48], ['secp521r1', 66]] as const) {
    it(`has the group order and field of ${curve} right (checked against OpenSSL)`, () => {
      const c = curveParameters(curve)!;
      const minusOne = createECDH(curve);
      minusOne.setPrivateKey(Buffer.from((c.n - 1n).toString(16).padStart(size * 2, '0'), 'hex'));
      const point = minusOne.getPublicKey();
      // (n-1)·G = -G: same x, y = p - Gy.
      assert.equal(BigInt('0x' + point.subarray(1, 1 + size).toString('hex')), c.gx);
      assert.equal(BigInt('0x' + point.subarray(1 + size).toString('hex')), c.p - c.gy);
    });

    for (const hash of ['sha2-256', 'sha2-512', 'sha3-384'] as const) {
      it(`signs a ${hash} digest on ${curve} that node verifies over the message, and verifies node's signatures`, () => {
        const { privateKey, publicKey } = keyPair('ec', { namedCurve: curve });
        const node = hashAlgorithm(hash, SIGNING_HASH_NAMES, 'h').node;
        const digest = digestOf(hash);
        const ours = ecdsaSignDigest(privateKey, digest);
        assert.ok(verify(node, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, encodeP1363(ours.r, ours.s, size)));
        assert.ok(verify(node, message, publicKey, encodeDer(ours.r, ours.s)));
        const theirs = decodeDer(sign(node, message, privateKey))!;
        assert.ok(ecdsaVerifyDigest(publicKey, digest, theirs.r, theirs.s));
        const tampered = Buffer.from(digest);
        tampered[0]! ^= 1;
        assert.equal(ecdsaVerifyDigest(publicKey, tampered, theirs.r, theirs.s), false);
        const other = keyPair('ec', { namedCurve: curve }).publicKey;
        assert.equal(ecdsaVerifyDigest(other, digest, theirs.r, theirs.s), false);
      });
    }
  }

  it('refuses r or s out of range', () => {
    const { publicKey } = keyPair('ec', { namedCurve: 'prime256v1' });
    const zero = Buffer.alloc(32);
    assert.equal(ecdsaVerifyDigest(publicKey, digestOf('sha2-256'), zero, Buffer.alloc(32, 1)), false);
    assert.equal(ecdsaVerifyDigest(publicKey, digestOf('sha2-256'), Buffer.alloc(32, 0xff), Buffer.alloc(32, 1)), false);
  });

  it('reads only well-formed DER and fixed-size JWS signatures', () => {
    const r = Buffer.from('00ff01', 'hex');
    const s = Buffer.from('7f', 'hex');
    const der = encodeDer(r, s);
    assert.deepEqual(decodeDer(der), { r: Buffer.from('00ff01', 'hex'), s: Buffer.from('7f', 'hex') });
    assert.equal(decodeDer(Buffer.concat([der, Buffer.from([0])])), null, 'trailing bytes');
    assert.equal(decodeDer(Buffer.from('3007020100020100', 'hex')), null, 'wrong length');
    assert.equal(decodeDer(Buffer.from('30060201ff020101', 'hex')), null, 'negative r');
    assert.equal(decodeDer(Buffer.from('3007020200010201 01'.replace(' ', ''), 'hex')), null, 'non-minimal r');
    assert.equal(decodeDer(Buffer.alloc(0)), null);
    assert.equal(decodeP1363(Buffer.alloc(63), 32), null);
    assert.equal(decodeP1363(Buffer.alloc(64), 32)!.r.length, 32);
  });
});

describe('RSA over a given digest', () => {
  const { privateKey, publicKey } = keyPair('rsa', { modulusLength: 2048 });
  const bits = 2048;

  for (const hash of ['sha1', 'sha2-224', 'sha2-256', 'sha2-512', 'sha3-256'] as const) {
    const h = hashAlgorithm(hash, SIGNING_HASH_NAMES, 'h');
    it(`PKCS#1 v1.5 with ${hash}: interoperates with node's own signatures`, () => {
      const ours = rsaSignDigest(privateKey, bits, h, digestOf(hash), 'pkcs1v15', 0);
      assert.ok(verify(h.node, message, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, ours));
      const theirs = sign(h.node, message, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
      assert.ok(rsaVerifyDigest(publicKey, bits, h, digestOf(hash), theirs, 'pkcs1v15', null));
      assert.equal(rsaVerifyDigest(publicKey, bits, h, Buffer.alloc(h.bytes, 1), theirs, 'pkcs1v15', null), false);
    });

    it(`PSS with ${hash}: interoperates with node for the longest, the digest-long and a chosen salt`, () => {
      const max = Math.ceil((bits - 1) / 8) - 2 - h.bytes;
      for (const salt of [max, h.bytes, 7]) {
        const ours = rsaSignDigest(privateKey, bits, h, digestOf(hash), 'pss', salt);
        assert.ok(verify(h.node, message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt }, ours), `salt ${salt}`);
        assert.ok(rsaVerifyDigest(publicKey, bits, h, digestOf(hash), ours, 'pss', null));
        assert.ok(rsaVerifyDigest(publicKey, bits, h, digestOf(hash), ours, 'pss', salt));
        assert.equal(rsaVerifyDigest(publicKey, bits, h, digestOf(hash), ours, 'pss', salt + 1), false);
        const theirs = sign(h.node, message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
        assert.ok(rsaVerifyDigest(publicKey, bits, h, digestOf(hash), theirs, 'pss', null));
        const bad = Buffer.from(theirs);
        bad[10]! ^= 0x40;
        assert.equal(rsaVerifyDigest(publicKey, bits, h, digestOf(hash), bad, 'pss', null), false);
      }
    });
  }

  it('PKCS#1 v1.5 with hash "none" signs the input bytes as they are', () => {
    const none = hashAlgorithm('none', SIGNING_HASH_NAMES, 'h');
    const input = Buffer.from('arbitrary bytes, no DigestInfo');
    const sig = rsaSignDigest(privateKey, bits, none, input, 'pkcs1v15', 0);
    assert.ok(rsaVerifyDigest(publicKey, bits, none, input, sig, 'pkcs1v15', null));
    assert.equal(rsaVerifyDigest(publicKey, bits, none, Buffer.from('other'), sig, 'pkcs1v15', null), false);
  });

  it('refuses a digest of the wrong length for its hash', () => {
    const h = hashAlgorithm('sha2-256', SIGNING_HASH_NAMES, 'h');
    assert.throws(() => rsaSignDigest(privateKey, bits, h, Buffer.alloc(20), 'pss', 32), /prehashed input is 20 bytes; a sha2-256 digest is 32/);
  });
});
