/**
 * The issuer's signature on a leaf as a role asks for it: signature_bits picks the hash and
 * use_pss RSA-PSS over PKCS#1 v1.5. Webcrypto binds an RSA key to one hash and one scheme,
 * so the key is imported for exactly the algorithm it will sign with.
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import type { Signer } from './cert.js';
import { importPrivateKey, type KeySpec } from './keys.js';
import type { Role } from './paths/role-schema.js';

const HASH: Record<number, string> = { 256: 'SHA-256', 384: 'SHA-384', 512: 'SHA-512' };

/** undefined: the key's own default (what importPrivateKey and signingAlgorithmOf give). */
function roleAlgorithm(spec: KeySpec, role: Pick<Role, 'signature_bits' | 'use_pss'>): (Algorithm & { hash?: string; saltLength?: number }) | undefined {
  if (spec.type === 'ed25519') return undefined;
  const bits = role.signature_bits || 256;
  const hash = HASH[bits];
  if (!hash) throw invalidRequest(`unsupported signature_bits ${bits}`);
  if (spec.type === 'ec') return role.signature_bits ? { name: 'ECDSA', hash } : undefined;
  if (role.use_pss) return { name: 'RSA-PSS', hash, saltLength: bits / 8 };
  return bits === 256 ? undefined : { name: 'RSASSA-PKCS1-v1_5', hash };
}

export async function issuerSigner(certificatePem: string, keyPem: string, spec: KeySpec, role: Pick<Role, 'signature_bits' | 'use_pss'>): Promise<Signer> {
  const certificate = new x509.X509Certificate(certificatePem);
  const algorithm = roleAlgorithm(spec, role);
  if (!algorithm) return { certificate, key: await importPrivateKey(keyPem, spec), spec };
  const importAlg = spec.type === 'ec' ? undefined : { name: algorithm.name, hash: algorithm.hash };
  const key = importAlg
    ? await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), importAlg as RsaHashedImportParams, false, ['sign'])
    : await importPrivateKey(keyPem, spec);
  return { certificate, key, spec, algorithm };
}
