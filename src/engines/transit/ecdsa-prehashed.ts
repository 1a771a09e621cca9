/**
 * ECDSA over a digest the caller already computed (`prehashed`), which node:crypto does not
 * offer: its sign and verify always hash their input. Used by cosign-style clients that send
 * a digest. The secret-dependent scalar multiplication (k·G) is OpenSSL's, through ECDH;
 * the rest is the textbook formula (SEC 1, 4.1.3 and 4.1.4) in BigInt arithmetic, with the
 * private scalar and the nonce blinded so no BigInt operation sees them bare. Verification
 * only touches public values, so it is plain Jacobian-coordinate arithmetic here.
 */
import { createECDH, randomBytes, type KeyObject } from 'node:crypto';

interface Curve {
  openssl: string;
  p: bigint;
  n: bigint;
  bytes: number;
  gx: bigint;
  gy: bigint;
}

const hex = (s: string) => BigInt('0x' + s);
const toBig = (b: Buffer) => (b.length === 0 ? 0n : BigInt('0x' + b.toString('hex')));
const toBytes = (v: bigint, len: number) => Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex');

function curve(openssl: string, p: string, n: string, bytes: number): Curve {
  // The generator comes from OpenSSL itself: the public key of private key 1.
  const g = createECDH(openssl);
  g.setPrivateKey(Buffer.from([1]));
  const point = g.getPublicKey();
  return { openssl, p: hex(p), n: hex(n), bytes, gx: toBig(point.subarray(1, 1 + bytes)), gy: toBig(point.subarray(1 + bytes)) };
}

const CURVES: Record<string, Curve> = {
  prime256v1: curve(
    'prime256v1',
    'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff',
    'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
    32,
  ),
  secp384r1: curve(
    'secp384r1',
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    48,
  ),
  secp521r1: curve(
    'secp521r1',
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    66,
  ),
};

/** For tests: the constants above, checked against OpenSSL. */
export const curveParameters = (name: string) => CURVES[name];

const mod = (a: bigint, m: bigint) => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

/** Inverse mod a prime by the extended Euclidean algorithm (variable time: only ever given blinded or public values). */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** The digest as an integer, cut to the bit length of n (SEC 1, 4.1.3 step 5). */
function digestInteger(c: Curve, digest: Buffer): bigint {
  const nBits = c.n.toString(2).length;
  let z = toBig(digest);
  const excess = digest.length * 8 - nBits;
  if (excess > 0) z >>= BigInt(excess);
  return z;
}

const randomScalar = (c: Curve) => mod(toBig(randomBytes(c.bytes + 16)), c.n - 1n) + 1n;

function curveOf(key: KeyObject): Curve {
  const c = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (!c) throw new Error('unsupported curve');
  return c;
}

/** Signs `digest` with an EC private key; returns (r, s) as fixed-length big-endian bytes. */
export function ecdsaSignDigest(key: KeyObject, digest: Buffer): { r: Buffer; s: Buffer } {
  const c = curveOf(key);
  const z = digestInteger(c, digest);
  const d = toBig(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
  for (;;) {
    // k and k·G from OpenSSL (constant-time scalar multiplication).
    const ecdh = createECDH(c.openssl);
    const kG = ecdh.generateKeys();
    const k = toBig(ecdh.getPrivateKey());
    const r = mod(toBig(kG.subarray(1, 1 + c.bytes)), c.n);
    if (r === 0n) continue;
    // s = k⁻¹ (z + r·d): d enters as d + m·n and k⁻¹ as b·(k·b)⁻¹ for random m and b.
    const m = toBig(randomBytes(16));
    const b = randomScalar(c);
    const kInv = mod(b * inverse(mod(k * b, c.n), c.n), c.n);
    const s = mod(kInv * mod(z + r * (d + m * c.n), c.n), c.n);
    if (s === 0n) continue;
    return { r: toBytes(r, c.bytes), s: toBytes(s, c.bytes) };
  }
}

// --- verification: public values only ------------------------------------------------

type Point = { x: bigint; y: bigint; z: bigint }; // Jacobian; z = 0 is the point at infinity
const INFINITY: Point = { x: 1n, y: 1n, z: 0n };

function double(c: Curve, P: Point): Point {
  if (P.z === 0n || P.y === 0n) return INFINITY;
  const { p } = c;
  // dbl-2001-b, for a = -3
  const delta = mod(P.z * P.z, p);
  const gamma = mod(P.y * P.y, p);
  const beta = mod(P.x * gamma, p);
  const alpha = mod(3n * (P.x - delta) * (P.x + delta), p);
  const x = mod(alpha * alpha - 8n * beta, p);
  const z = mod((P.y + P.z) ** 2n - gamma - delta, p);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, p);
  return { x, y, z };
}

function add(c: Curve, P: Point, Q: Point): Point {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const { p } = c;
  // add-2007-bl
  const z1z1 = mod(P.z * P.z, p);
  const z2z2 = mod(Q.z * Q.z, p);
  const u1 = mod(P.x * z2z2, p);
  const u2 = mod(Q.x * z1z1, p);
  const s1 = mod(P.y * Q.z * z2z2, p);
  const s2 = mod(Q.y * P.z * z1z1, p);
  const h = mod(u2 - u1, p);
  const r = mod(2n * (s2 - s1), p);
  if (h === 0n) return r === 0n ? double(c, P) : INFINITY;
  const i = mod(4n * h * h, p);
  const j = mod(h * i, p);
  const v = mod(u1 * i, p);
  const x = mod(r * r - j - 2n * v, p);
  const y = mod(r * (v - x) - 2n * s1 * j, p);
  const z = mod(((P.z + Q.z) ** 2n - z1z1 - z2z2) * h, p);
  return { x, y, z };
}

/** u1·G + u2·Q by Shamir's trick. */
function twoMultiply(c: Curve, u1: bigint, G: Point, u2: bigint, Q: Point): Point {
  const GQ = add(c, G, Q);
  let R = INFINITY;
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    R = double(c, R);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) R = add(c, R, GQ);
    else if (b1) R = add(c, R, G);
    else if (b2) R = add(c, R, Q);
  }
  return R;
}

/** Whether (r, s) is a valid signature of `digest` under an EC public key. */
export function ecdsaVerifyDigest(key: KeyObject, digest: Buffer, rBytes: Buffer, sBytes: Buffer): boolean {
  const c = curveOf(key);
  const r = toBig(rBytes);
  const s = toBig(sBytes);
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const jwk = key.export({ format: 'jwk' });
  const Q: Point = { x: toBig(Buffer.from(jwk.x!, 'base64url')), y: toBig(Buffer.from(jwk.y!, 'base64url')), z: 1n };
  const G: Point = { x: c.gx, y: c.gy, z: 1n };
  const w = inverse(s, c.n);
  const u1 = mod(digestInteger(c, digest) * w, c.n);
  const u2 = mod(r * w, c.n);
  const R = twoMultiply(c, u1, G, u2, Q);
  if (R.z === 0n) return false;
  const zInv = inverse(R.z, c.p);
  const x = mod(R.x * zInv * zInv, c.p);
  return mod(x, c.n) === r;
}

/** Size in bytes of r and s for the key's curve (JWS marshaling). */
export function scalarBytes(key: KeyObject): number {
  return curveOf(key).bytes;
}
