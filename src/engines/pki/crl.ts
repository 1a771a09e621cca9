/**
 * Each issuer's CRL, rebuilt whenever one of its certificates is revoked (and on crl/rotate),
 * so crl and crl/pem are a stored read. Valid 72 h, Vault's default crl expiry.
 */
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import type { HandlerContext } from '../../framework/backend.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import { importPrivateKey, signingAlgorithmOf } from './keys.js';
import { certKey, type StoredCert } from './leaf.js';
import { withMountLock } from './lock.js';
import { allIssuers, getKey, type IssuerEntry } from './storage.js';

export const CRL_LIFETIME_SECONDS = 72 * 3600;

interface StoredCrl {
  /** PEM */
  crl: string;
  /** RFC 5280's CRL number: one more on every rebuild. */
  number: number;
  /** unix seconds: the CRL's nextUpdate */
  nextUpdate: number;
}

type Background = Omit<HandlerContext<unknown>, 'req' | 'fields' | 'raw'>;

const crlKey = (issuerId: string) => `crl/${issuerId}`;
export const revokedKey = (serial: string) => `revoked/${serial.toLowerCase().replace(/:/g, '-')}`;

/** DER of the cRLNumber extension's INTEGER (a non-negative number below 2^31). */
function crlNumberExtension(n: number): x509.Extension {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const value = Buffer.from(hex, 'hex');
  return new x509.Extension('2.5.29.20', false, Buffer.concat([Buffer.from([0x02, value.length]), value]));
}

/** The serials revoked under `issuerId`, with when. */
async function revokedUnder(storage: Storage, issuerId: string): Promise<{ serial: string; time: number }[]> {
  const out: { serial: string; time: number }[] = [];
  for (const k of await storage.list('revoked/')) {
    const cert = await getJson<StoredCert>(storage, certKey(k));
    if (cert && cert.issuerId === issuerId && cert.revocationTime) out.push({ serial: k.replace(/-/g, ''), time: cert.revocationTime });
  }
  return out;
}

export async function rebuildCrl(ctx: Background, issuer: IssuerEntry): Promise<string> {
  const key = await getKey(ctx.storage, issuer.keyId);
  if (!key) throw invalidRequest(`issuer ${issuer.name || issuer.id} has no key: it cannot sign a CRL`);
  const previous = await getJson<StoredCrl>(ctx.storage, crlKey(issuer.id));
  const number = (previous?.number ?? 0) + 1;
  const issuerCert = new x509.X509Certificate(issuer.certificate);
  const now = ctx.clock();
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuerCert.subjectName,
    thisUpdate: new Date(now),
    nextUpdate: new Date(now + CRL_LIFETIME_SECONDS * 1000),
    entries: (await revokedUnder(ctx.storage, issuer.id)).map((r) => ({ serialNumber: r.serial, revocationDate: new Date(r.time * 1000) })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey), crlNumberExtension(number)],
    signingKey: await importPrivateKey(key.privateKey, key.spec),
    signingAlgorithm: signingAlgorithmOf(key.spec),
  });
  // "X509 CRL" is the label openssl and Go read; the library's own PEM says just "CRL".
  const pem = x509.PemConverter.encode(crl.rawData, 'X509 CRL') + '\n';
  await putJson(ctx.storage, crlKey(issuer.id), { crl: pem, number, nextUpdate: Math.floor(now / 1000) + CRL_LIFETIME_SECONDS } satisfies StoredCrl);
  return pem;
}

/** The issuer's CRL as stored, built first if it never was. */
export async function currentCrl(ctx: Background, issuer: IssuerEntry): Promise<string> {
  return (await getJson<StoredCrl>(ctx.storage, crlKey(issuer.id)))?.crl ?? rebuildCrl(ctx, issuer);
}

/**
 * Periodic: rebuilds each CRL with less than a third of its life left. A CRL past its
 * nextUpdate makes clients that check it refuse every certificate of its issuer, so it must
 * be renewed even when nothing is revoked.
 */
export async function refreshCrls(ctx: Background): Promise<void> {
  const nowSeconds = ctx.clock() / 1000;
  for (const issuer of await allIssuers(ctx.storage)) {
    const stored = await getJson<StoredCrl>(ctx.storage, crlKey(issuer.id));
    if (!stored || (stored.nextUpdate ?? 0) - nowSeconds > CRL_LIFETIME_SECONDS / 3) continue;
    await withMountLock(ctx.mount, 'crl', () => rebuildCrl(ctx, issuer));
  }
}
