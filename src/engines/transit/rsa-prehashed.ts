/**
 * RSA signatures over a digest the caller already computed (`prehashed`), which
 * node:crypto's sign and verify cannot take (they always hash). The RSA operation itself is
 * OpenSSL's (privateEncrypt / publicDecrypt, blinded); this file only builds and checks the
 * encoded message: EMSA-PKCS1-v1_5 (the DigestInfo, or the bare input for hash "none") and
 * EMSA-PSS with MGF1 over the same hash (RFC 8017, 9.1 and 9.2).
 */
import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import type { HashAlgorithm } from './hash-algorithms.js';

function digestInfo(hash: HashAlgorithm, digest: Buffer): Buffer {
  if (!hash.oid) return digest; // hash_algorithm=none: Vault's PKCS1v15 without a DigestInfo
  const algId = Buffer.concat([Buffer.from([0x06, hash.oid.length]), hash.oid, Buffer.from([0x05, 0x00])]);
  const seq = Buffer.concat([Buffer.from([0x30, algId.length]), algId, Buffer.from([0x04, digest.length]), digest]);
  return Buffer.concat([Buffer.from([0x30, seq.length]), seq]);
}

function checkDigest(hash: HashAlgorithm, digest: Buffer): void {
  if (hash.bytes && digest.length !== hash.bytes) {
    throw invalidRequest(`prehashed input is ${digest.length} bytes; a ${hash.name} digest is ${hash.bytes}`);
  }
}

function mgf1(hash: HashAlgorithm, seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  const counter = Buffer.alloc(4);
  for (let done = 0, i = 0; done < length; i++) {
    counter.writeUInt32BE(i);
    done += createHash(hash.node).update(seed).update(counter).digest().copy(out, done);
  }
  return out;
}

const ZEROS8 = Buffer.alloc(8);

export function rsaSignDigest(
  key: KeyObject,
  modulusBits: number,
  hash: HashAlgorithm,
  digest: Buffer,
  scheme: 'pss' | 'pkcs1v15',
  saltLength: number,
): Buffer {
  checkDigest(hash, digest);
  const k = modulusBits / 8;
  if (scheme === 'pkcs1v15') {
    const t = digestInfo(hash, digest);
    if (t.length > k - 11) throw invalidRequest(`input is too long for a ${modulusBits}-bit PKCS#1 v1.5 signature`);
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, t);
  }
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = hash.bytes;
  if (emLen < hLen + saltLength + 2) throw invalidRequest(`salt length ${saltLength} is too long for this key and hash`);
  const salt = randomBytes(saltLength);
  const h = createHash(hash.node).update(ZEROS8).update(digest).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - saltLength - hLen - 2] = 0x01;
  salt.copy(db, db.length - saltLength);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i]!;
  db[0] &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.from([0xbc])]);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
}

/** `saltLength` null: any (recovered from the signature, as OpenSSL's "auto"). */
export function rsaVerifyDigest(
  key: KeyObject,
  modulusBits: number,
  hash: HashAlgorithm,
  digest: Buffer,
  signature: Buffer,
  scheme: 'pss' | 'pkcs1v15',
  saltLength: number | null,
): boolean {
  checkDigest(hash, digest);
  const k = modulusBits / 8;
  if (signature.length !== k) return false;
  if (scheme === 'pkcs1v15') {
    let t: Buffer;
    try {
      t = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    const expected = digestInfo(hash, digest);
    return t.length === expected.length && timingSafeEqual(t, expected);
  }
  let m: Buffer;
  try {
    m = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = hash.bytes;
  if (m.length !== k || m.subarray(0, k - emLen).some((b) => b !== 0)) return false;
  const em = m.subarray(k - emLen);
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((em[0]! & ~topMask) !== 0) return false;
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i]!;
  db[0] &= topMask;
  let one = 0;
  while (one < db.length && db[one] === 0) one++;
  if (one === db.length || db[one] !== 0x01) return false;
  const sLen = db.length - one - 1;
  if (saltLength !== null && sLen !== saltLength) return false;
  const salt = db.subarray(db.length - sLen);
  const h2 = createHash(hash.node).update(ZEROS8).update(digest).update(salt).digest();
  return timingSafeEqual(h, h2);
}
