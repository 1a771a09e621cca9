/**
 * The transit engine in the fuzz: its endpoints (mounted at fuzz-transit/ with keys of every
 * type made beforehand), and values for its fields that are often nearly right (base64,
 * ciphertext-shaped strings, batches of such items), so requests reach the crypto.
 */
import { SAFE, VISIBLE } from './alphabets.js';
import type { J } from './json-text.js';
import type { Prng } from './prng.js';

export const TRANSIT_MOUNT = 'fuzz-transit';
export const TRANSIT_KEYS = ['aes', 'chacha', 'derived', 'conv', 'ed', 'ec', 'rsa', 'mac', 'export'];

const keyName = (r: Prng) => r.pick([...TRANSIT_KEYS, 'missing', r.string(r.range(1, 8), SAFE), 'a.b@c', '-x', '']);
const ITEM_FIELDS = ['plaintext', 'ciphertext', 'context', 'key_version', 'associated_data', 'reference', 'nonce', 'input', 'signature', 'hmac'];
const COMMON = ['plaintext', 'ciphertext', 'context', 'key_version', 'associated_data', 'nonce', 'batch_input', 'partial_failure_response_code', 'type', 'convergent_encryption'];

export const TRANSIT_ENDPOINTS: { path: (r: Prng) => string; methods: string[]; fields: string[] }[] = [
  { path: (r) => `${TRANSIT_MOUNT}/keys/${keyName(r)}`, methods: ['POST', 'GET', 'DELETE'], fields: ['type', 'derived', 'convergent_encryption', 'exportable', 'allow_plaintext_backup', 'auto_rotate_period', 'key_size', 'context'] },
  { path: (r) => `${TRANSIT_MOUNT}/keys${r.pick(['', '/'])}`, methods: ['LIST', 'GET'], fields: ['after', 'limit'] },
  { path: (r) => `${TRANSIT_MOUNT}/keys/${keyName(r)}/${r.pick(['config', 'rotate', 'trim'])}`, methods: ['POST'], fields: ['min_decryption_version', 'min_encryption_version', 'deletion_allowed', 'exportable', 'auto_rotate_period', 'min_available_version'] },
  { path: (r) => `${TRANSIT_MOUNT}/${r.pick(['encrypt', 'decrypt', 'rewrap'])}/${keyName(r)}`, methods: ['POST', 'PUT'], fields: COMMON },
  { path: (r) => `${TRANSIT_MOUNT}/datakey/${r.pick(['plaintext', 'wrapped', 'x'])}/${keyName(r)}`, methods: ['POST'], fields: ['bits', 'context', 'key_version', 'associated_data', 'nonce'] },
  { path: (r) => `${TRANSIT_MOUNT}/${r.pick(['sign', 'verify', 'hmac'])}/${keyName(r)}${r.chance(0.3) ? '/' + hashName(r) : ''}`, methods: ['POST'], fields: ['input', 'signature', 'hmac', 'context', 'hash_algorithm', 'algorithm', 'prehashed', 'signature_algorithm', 'marshaling_algorithm', 'salt_length', 'key_version', 'batch_input'] },
  { path: (r) => `${TRANSIT_MOUNT}/${r.pick(['hash', 'random'])}${r.chance(0.4) ? '/' + r.pick([hashName(r), '16', 'platform', 'seal/8', '0', '999999']) : ''}`, methods: ['POST'], fields: ['input', 'algorithm', 'format', 'bytes'] },
  { path: (r) => `${TRANSIT_MOUNT}/export/${r.pick(['encryption-key', 'signing-key', 'hmac-key', 'public-key', 'x'])}/${keyName(r)}${r.chance(0.4) ? '/' + r.pick(['1', 'v1', 'latest', '0', 'x']) : ''}`, methods: ['GET'], fields: [] },
  { path: (r) => `${TRANSIT_MOUNT}/${r.pick(['backup/' + keyName(r), 'restore', 'restore/' + keyName(r), 'cache-config', 'config/keys'])}`, methods: ['GET', 'POST'], fields: ['backup', 'force', 'size', 'disable_upsert'] },
];

function hashName(r: Prng): string {
  return r.pick(['sha2-256', 'sha2-512', 'sha3-256', 'sha1', 'none', 'md5', '', 'SHA2-256']);
}

function base64ish(r: Prng): string {
  return r.pick([
    () => r.bytes(r.range(0, 64)).toString('base64'),
    () => r.bytes(r.range(1, 40)).toString('base64').replace(/=+$/, ''),
    () => r.bytes(r.range(1, 40)).toString('base64url'),
    () => r.string(r.range(1, 30), VISIBLE),
    () => '',
    () => 'A'.repeat(r.pick([4, 1001, 200000])),
  ])();
}

function versioned(r: Prng): string {
  return `${r.pick(['vault:v1:', 'vault:v2:', 'vault:v0:', 'vault:v99999999999:', 'vault:v-1:', 'vault:', 'vault:vx:', ''])}${base64ish(r)}`;
}

/** A value for a transit field, or undefined when the field is not one of transit's. */
export function transitFieldValue(r: Prng, name: string, any: () => J): J | undefined {
  switch (name) {
    case 'plaintext':
    case 'input':
    case 'context':
    case 'associated_data':
    case 'backup':
      return base64ish(r);
    case 'ciphertext':
    case 'signature':
    case 'hmac':
      return versioned(r);
    case 'key_version':
    case 'min_decryption_version':
    case 'min_encryption_version':
    case 'min_available_version':
    case 'bits':
    case 'bytes':
    case 'key_size':
    case 'size':
    case 'partial_failure_response_code':
      return r.pick<J>([0, 1, 2, 3, -1, 128, 256, 512, 10, 64, 1e9, '2', 'x', 1.5, null]);
    case 'hash_algorithm':
    case 'algorithm':
      return hashName(r);
    case 'signature_algorithm':
      return r.pick(['pss', 'pkcs1v15', 'raw', '']);
    case 'marshaling_algorithm':
      return r.pick(['asn1', 'jws', 'pem', '']);
    case 'salt_length':
      return r.pick<J>(['auto', 'hash', '0', '-1', '-2', 20, 1000, 'x']);
    case 'format':
      return r.pick(['hex', 'base64', 'raw', '']);
    case 'batch_input':
      return r.pick<() => J>([
        () => Array.from({ length: r.range(0, 6) }, () => Object.fromEntries(Array.from({ length: r.range(0, 4) }, () => {
          const f = r.pick(ITEM_FIELDS);
          return [f, r.chance(0.2) ? any() : (transitFieldValue(r, f, any) ?? any())];
        }))),
        () => Array.from({ length: r.range(0, 3) }, any),
        any,
      ])();
    default:
      return undefined;
  }
}
