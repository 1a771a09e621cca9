/**
 * Each issuer's complete CRL and, with enable_delta, its delta CRL, stored so crl and crl/pem
 * are a stored read. A revocation entry carries all the CRL needs (serial, time, issuer), so
 * a build is one list and small reads, never a read of every certificate. Without
 * auto_rebuild a revocation rebuilds its issuer's CRL at once; with it, a revocation only
 * marks the issuer dirty and the periodic function rebuilds (as Vault).
 */
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import type { HandlerContext } from '../../framework/backend.js';
import { applyOps, getJson, jsonOp, putJson, type Storage, type StorageOp } from '../../logical/storage.js';
import { colonHex } from './cert.js';
import { crlConfig, type CrlConfig } from './crl-config.js';
import { certificateNotAfter } from './der.js';
import { encodeCrl } from './crl-encode.js';
import { certKey, type StoredCert } from './leaf.js';
import { withMountLock } from './lock.js';
import { allIssuers, getKey, type IssuerEntry } from './storage.js';
import { freshestCrlExtension } from './urls.js';

/** Vault's default expiry; config/crl may change it. */
export const CRL_LIFETIME_SECONDS = 72 * 3600;

export interface StoredCrl {
  /** PEM */
  crl: string;
  /** RFC 5280's CRL number: complete and delta CRLs of one issuer share the sequence. */
  number: number;
  /** unix seconds */
  thisUpdate: number;
  nextUpdate: number;
}

/** What a revocation records: enough to list it on a CRL, answer OCSP and tidy it. */
export interface RevokedEntry {
  /** colon hex */
  serial: string;
  /** unix seconds */
  time: number;
  issuerId: string;
  /** unix seconds: the certificate's notAfter (tidy drops the entry once it is past) */
  notAfter: number;
}

export type Background = Omit<HandlerContext<unknown>, 'req' | 'fields' | 'raw'>;

const storedKey = (serial: string) => serial.toLowerCase().replace(/:/g, '-');
export const crlKey = (issuerId: string) => `crl/${issuerId}`;
export const deltaKey = (issuerId: string) => `crl-delta/${issuerId}`;
/** Present while revocations wait for the periodic rebuild (auto_rebuild). */
const dirtyKey = (issuerId: string) => `crl-dirty/${issuerId}`;
export const revokedKey = (serial: string) => `revoked/${storedKey(serial)}`;

/** DER of an INTEGER-valued extension (cRLNumber, deltaCRLIndicator): non-negative, below 2^31. */
export function integerExtension(oid: string, n: number, critical: boolean): x509.Extension {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const value = Buffer.from(hex, 'hex');
  return new x509.Extension(oid, critical, Buffer.concat([Buffer.from([0x02, value.length]), value]));
}

/** A stored certificate's notAfter in unix seconds. */
export const notAfterOf = (pem: string) => certificateNotAfter(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

/** The revocation entry for `serial`; entries written before they carried their issuer are completed from the certificate. */
export async function revokedEntry(storage: Storage, serial: string): Promise<RevokedEntry | null> {
  const e = await getJson<Partial<RevokedEntry> & { time: number }>(storage, revokedKey(serial));
  if (!e) return null;
  if (e.issuerId && e.serial) return e as RevokedEntry;
  const cert = await getJson<StoredCert>(storage, certKey(serial));
  if (!cert) return null;
  return { serial: colonHex(serial.replace(/[:-]/g, '')), time: e.time, issuerId: cert.issuerId, notAfter: notAfterOf(cert.certificate) };
}

/** Every revocation entry of the mount: one list, then small reads, a batch at a time so a database backend overlaps them. */
export async function allRevoked(storage: Storage): Promise<RevokedEntry[]> {
  const keys = await storage.list('revoked/');
  const out: RevokedEntry[] = [];
  for (let i = 0; i < keys.length; i += 256) {
    for (const e of await Promise.all(keys.slice(i, i + 256).map((k) => revokedEntry(storage, k)))) if (e) out.push(e);
  }
  return out;
}

/** The storage ops of one revocation; with auto_rebuild the issuer is also marked for the periodic rebuild. */
export function revocationOps(entry: RevokedEntry, cert: StoredCert, certSerial: string, config: CrlConfig): StorageOp[] {
  const ops = [jsonOp(certKey(certSerial), { ...cert, revocationTime: entry.time } satisfies StoredCert), jsonOp(revokedKey(entry.serial), entry)];
  if (config.auto_rebuild) ops.push(jsonOp(dirtyKey(entry.issuerId), { at: entry.time }));
  return ops;
}

interface CrlParts {
  entries: RevokedEntry[];
  extensions: x509.Extension[];
  number: number;
  nowMs: number;
  lifetime: number;
}

async function signCrl(ctx: Background, issuer: IssuerEntry, parts: CrlParts): Promise<StoredCrl> {
  const key = await getKey(ctx.storage, issuer.keyId);
  if (!key) throw invalidRequest(`issuer ${issuer.name || issuer.id} has no key: it cannot sign a CRL`);
  const issuerCert = new x509.X509Certificate(issuer.certificate);
  const thisUpdate = Math.floor(parts.nowMs / 1000);
  const extensions = [await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey), integerExtension('2.5.29.20', parts.number, false), ...parts.extensions];
  const der = encodeCrl({ issuerCertificate: issuer.certificate, key, thisUpdate, nextUpdate: thisUpdate + parts.lifetime, entries: parts.entries, extensions });
  // "X509 CRL" is the label openssl and Go read; the library's own PEM says just "CRL".
  const pem = x509.PemConverter.encode(new Uint8Array(der).buffer, 'X509 CRL') + '\n';
  return { crl: pem, number: parts.number, thisUpdate, nextUpdate: thisUpdate + parts.lifetime };
}

async function nextNumber(storage: Storage, issuerId: string): Promise<number> {
  const [complete, delta] = await Promise.all([getJson<StoredCrl>(storage, crlKey(issuerId)), getJson<StoredCrl>(storage, deltaKey(issuerId))]);
  return Math.max(complete?.number ?? 0, delta?.number ?? 0) + 1;
}

/** Rebuilds the issuer's complete CRL from every revocation entry; callers hold the mount's crl lock. */
export async function rebuildCrl(ctx: Background, issuer: IssuerEntry): Promise<string> {
  const config = await crlConfig(ctx.storage);
  // `disable` answers an empty, still signed and current CRL, as Vault does.
  const entries = config.disable ? [] : (await allRevoked(ctx.storage)).filter((e) => e.issuerId === issuer.id);
  const extensions = config.enable_delta ? await freshestCrlExtension(ctx.storage, issuer) : [];
  const built = await signCrl(ctx, issuer, { entries, extensions, number: await nextNumber(ctx.storage, issuer.id), nowMs: ctx.clock(), lifetime: config.expiry });
  await applyOps(ctx.storage, [jsonOp(crlKey(issuer.id), built), { kind: 'delete', key: dirtyKey(issuer.id) }]);
  return built.crl;
}

/**
 * Rebuilds the issuer's delta CRL: the revocations since its complete CRL was built, marked
 * with deltaCRLIndicator naming that CRL's number (RFC 5280 5.2.4).
 */
export async function rebuildDelta(ctx: Background, issuer: IssuerEntry): Promise<string> {
  const config = await crlConfig(ctx.storage);
  if (!(await getJson<StoredCrl>(ctx.storage, crlKey(issuer.id)))) await rebuildCrl(ctx, issuer);
  const complete = (await getJson<StoredCrl>(ctx.storage, crlKey(issuer.id)))!;
  const entries = config.disable ? [] : (await allRevoked(ctx.storage)).filter((e) => e.issuerId === issuer.id && e.time >= complete.thisUpdate);
  const built = await signCrl(ctx, issuer, {
    entries,
    extensions: [integerExtension('2.5.29.27', complete.number, true)],
    number: await nextNumber(ctx.storage, issuer.id),
    nowMs: ctx.clock(),
    lifetime: config.expiry,
  });
  await putJson(ctx.storage, deltaKey(issuer.id), built);
  return built.crl;
}

/** The issuer's CRL as stored, built first if it never was. */
export async function currentCrl(ctx: Background, issuer: IssuerEntry): Promise<string> {
  const stored = await getJson<StoredCrl>(ctx.storage, crlKey(issuer.id));
  return stored?.crl ?? withMountLock(ctx.mount, 'crl', () => rebuildCrl(ctx, issuer));
}

/** The issuer's delta CRL as stored, built first if it never was or a revocation came after it. */
export async function currentDelta(ctx: Background, issuer: IssuerEntry): Promise<string> {
  const [stored, dirty] = await Promise.all([getJson<StoredCrl>(ctx.storage, deltaKey(issuer.id)), getJson<{ at: number }>(ctx.storage, dirtyKey(issuer.id))]);
  if (stored && !(dirty && dirty.at >= stored.thisUpdate)) return stored.crl;
  return withMountLock(ctx.mount, 'crl', () => rebuildDelta(ctx, issuer));
}

/** crl/rotate: every issuer's complete CRL, and its delta when delta CRLs are on. */
export async function rebuildAll(ctx: Background, deltaOnly = false): Promise<void> {
  const config = await crlConfig(ctx.storage);
  await withMountLock(ctx.mount, 'crl', async () => {
    for (const issuer of await allIssuers(ctx.storage)) {
      // A certificate-only issuer (imported without its key) has no CRL to sign.
      if (!(await getKey(ctx.storage, issuer.keyId))) continue;
      if (!deltaOnly) await rebuildCrl(ctx, issuer);
      if (config.enable_delta) await rebuildDelta(ctx, issuer);
    }
  });
}

/**
 * Periodic. A complete CRL is rebuilt when it nears its nextUpdate (within the grace period
 * with auto_rebuild, else within a third of its life): one past it makes clients refuse
 * every certificate of its issuer. With auto_rebuild, a dirty issuer's complete CRL is rebuilt
 * too unless delta CRLs carry the news; its delta once delta_rebuild_interval has passed.
 */
export async function refreshCrls(ctx: Background): Promise<void> {
  const config = await crlConfig(ctx.storage);
  const now = ctx.clock() / 1000;
  for (const issuer of await allIssuers(ctx.storage)) {
    const [stored, delta, dirty] = await Promise.all([
      getJson<StoredCrl>(ctx.storage, crlKey(issuer.id)),
      getJson<StoredCrl>(ctx.storage, deltaKey(issuer.id)),
      getJson<{ at: number }>(ctx.storage, dirtyKey(issuer.id)),
    ]);
    if (!stored || !(await getKey(ctx.storage, issuer.keyId))) continue;
    const margin = config.auto_rebuild ? config.auto_rebuild_grace_period : config.expiry / 3;
    const completeDue = stored.nextUpdate - now <= margin || (dirty !== null && !config.enable_delta);
    if (completeDue) {
      await withMountLock(ctx.mount, 'crl', () => rebuildCrl(ctx, issuer));
      if (config.enable_delta) await withMountLock(ctx.mount, 'crl', () => rebuildDelta(ctx, issuer));
      continue;
    }
    const deltaDue = config.enable_delta && ((dirty && (!delta || now - delta.thisUpdate >= config.delta_rebuild_interval)) || (delta && delta.nextUpdate - now <= margin));
    if (deltaDue) await withMountLock(ctx.mount, 'crl', () => rebuildDelta(ctx, issuer));
  }
}
