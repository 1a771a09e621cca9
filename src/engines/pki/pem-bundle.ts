/**
 * PEM bundles as operators paste them into issuers/import/bundle and intermediate/set-signed:
 * CA certificates and private keys in any of the forms openssl writes (PKCS#1, SEC1,
 * PKCS#8). Keys are matched to certificates by their SubjectPublicKeyInfo DER, the one form
 * both sides share. Refusals name the block, never its content.
 */
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import { algorithmOf, type KeySpec } from './keys.js';

export interface BundleKey {
  spec: KeySpec;
  /** PKCS#8 PEM, as keys are stored */
  privateKey: string;
  /** SubjectPublicKeyInfo DER, hex */
  spki: string;
}

export interface Bundle {
  certificates: x509.X509Certificate[];
  keys: BundleKey[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

export function parseBundle(pem: string, field: string): Bundle {
  const blocks = [...pem.matchAll(BLOCK)];
  if (blocks.length === 0) throw invalidRequest(`${field} holds no PEM block: expected CA certificates and optionally a private key`);
  const out: Bundle = { certificates: [], keys: [] };
  blocks.forEach((m, i) => {
    const label = m[1]!;
    const which = `${field} block ${i + 1} (${label})`;
    if (label === 'CERTIFICATE') {
      try {
        out.certificates.push(new x509.X509Certificate(m[0]));
      } catch {
        throw invalidRequest(`${which} is not a valid certificate`);
      }
    } else if (KEY_LABELS.has(label)) {
      out.keys.push(bundleKey(m[0], which));
    } else {
      throw invalidRequest(`${which}: unsupported PEM type; use CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY (unencrypted)`);
    }
  });
  return out;
}

/** A private key PEM as stored, or a 400 naming `which`. */
export function bundleKey(pem: string, which: string): BundleKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw invalidRequest(`${which} is not a readable unencrypted private key`);
  }
  return { spec: specOfKeyObject(key, which), privateKey: key.export({ type: 'pkcs8', format: 'pem' }) as string, spki: spkiHex(key) };
}

function specOfKeyObject(key: KeyObject, which: string): KeySpec {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((d.modulusLength ?? 0) < 2048) throw invalidRequest(`${which}: RSA keys of fewer than 2048 bits are not accepted`);
    return { type: 'rsa', bits: d.modulusLength! };
  }
  if (key.asymmetricKeyType === 'ec') {
    const bits = CURVE_BITS[d.namedCurve ?? ''];
    if (!bits) throw invalidRequest(`${which}: unsupported curve ${d.namedCurve}; use P-256, P-384 or P-521`);
    return { type: 'ec', bits };
  }
  if (key.asymmetricKeyType === 'ed25519') return { type: 'ed25519', bits: 0 };
  throw invalidRequest(`${which}: unsupported key type ${key.asymmetricKeyType}; use rsa, ec or ed25519`);
}

const spkiHex = (key: KeyObject) => (createPublicKey(key).export({ type: 'spki', format: 'der' }) as Buffer).toString('hex');

/** The SPKI of a stored PKCS#8 key. */
export const spkiOfPrivateKey = (pkcs8: string) => spkiHex(createPrivateKey(pkcs8));
export const spkiOfCertificate = (cert: x509.X509Certificate) => Buffer.from(cert.publicKey.rawData).toString('hex');

/** The public half of a stored key, for a CSR made with it. */
export async function publicKeyOf(pkcs8: string, spec: KeySpec): Promise<CryptoKey> {
  const der = createPublicKey(createPrivateKey(pkcs8)).export({ type: 'spki', format: 'der' });
  return webcrypto.subtle.importKey('spki', der, algorithmOf(spec), true, ['verify']) as Promise<CryptoKey>;
}

export function isCaCertificate(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

