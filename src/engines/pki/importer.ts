/**
 * Bringing certificates and keys made elsewhere into a mount: issuers/import/bundle,
 * issuers/import/cert and intermediate/set-signed. Everything in a bundle is checked before
 * anything is written, and what is new is written in one commit under the issuers lock:
 * the keys, the issuers, every chain the new certificates complete, and the default when the
 * mount had none. Importing what the mount already holds changes nothing and says so.
 */
import { randomUUID } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { invalidRequest } from '../../errors.js';
import type { HandlerContext } from '../../framework/backend.js';
import { applyOps } from '../../logical/storage.js';
import { colonHex, unixSeconds } from './cert.js';
import { rebuiltChains } from './chain.js';
import { withMountLock } from './lock.js';
import { isCaCertificate, spkiOfCertificate, spkiOfPrivateKey, type Bundle } from './pem-bundle.js';
import { allIssuers, allKeys, issuerOp, issuersConfig, issuersConfigOp, keyOp, type IssuerEntry, type KeyEntry } from './storage.js';

export type ImportResult = {
  imported_issuers: string[] | null;
  imported_keys: string[] | null;
  /** issuer id → its key id ('' when the mount holds no key for it) */
  mapping: Record<string, string>;
  existing_issuers: string[] | null;
  existing_keys: string[] | null;
};

const pemOf = (c: x509.X509Certificate) => c.toString('pem') + '\n';
const describe = (c: x509.X509Certificate) => `"${c.subject || c.serialNumber}"`;

export interface ImportOptions {
  /** set-signed: the first certificate must be one whose key this mount holds */
  firstNeedsKey?: boolean;
}

export async function importBundle(ctx: HandlerContext<unknown>, bundle: Bundle, opts: ImportOptions = {}): Promise<ImportResult> {
  for (const c of bundle.certificates) {
    if (!isCaCertificate(c)) throw invalidRequest(`certificate ${describe(c)} is not a CA certificate (no basic constraints with CA:TRUE): it cannot be an issuer`);
  }
  return withMountLock(ctx.mount, 'issuers', async () => {
    const issuers = await allIssuers(ctx.storage);
    const keys = await allKeys(ctx.storage);
    const keyBySpki = new Map<string, KeyEntry>(keys.map((k) => [spkiOfPrivateKey(k.privateKey), k]));
    const certSpkis = new Set([...bundle.certificates.map(spkiOfCertificate), ...issuers.map((i) => spkiOfCertificate(new x509.X509Certificate(i.certificate)))]);

    const result: ImportResult = { imported_issuers: [], imported_keys: [], mapping: {}, existing_issuers: [], existing_keys: [] };
    const newKeys: KeyEntry[] = [];
    for (const k of bundle.keys) {
      const existing = keyBySpki.get(k.spki);
      if (existing) {
        if (!result.existing_keys!.includes(existing.id)) result.existing_keys!.push(existing.id);
        continue;
      }
      if (!certSpkis.has(k.spki)) throw invalidRequest('a private key in the bundle matches no certificate in the bundle and no issuer of this mount; import a lone key with keys/import');
      const entry: KeyEntry = { id: randomUUID(), name: '', spec: k.spec, privateKey: k.privateKey };
      keyBySpki.set(k.spki, entry);
      newKeys.push(entry);
      result.imported_keys!.push(entry.id);
    }

    const newIssuers: IssuerEntry[] = [];
    for (const [n, cert] of bundle.certificates.entries()) {
      const key = keyBySpki.get(spkiOfCertificate(cert));
      if (n === 0 && opts.firstNeedsKey && !key) throw invalidRequest(`certificate ${describe(cert)} does not match any key of this mount: generate the CSR with intermediate/generate here first`);
      const der = Buffer.from(cert.rawData);
      const existing = [...issuers, ...newIssuers].find((i) => Buffer.from(new x509.X509Certificate(i.certificate).rawData).equals(der));
      if (existing) {
        if (!result.existing_issuers!.includes(existing.id) && !result.imported_issuers!.includes(existing.id)) result.existing_issuers!.push(existing.id);
        result.mapping[existing.id] = existing.keyId;
        continue;
      }
      const pem = pemOf(cert);
      const entry: IssuerEntry = {
        id: randomUUID(),
        name: '',
        keyId: key?.id ?? '',
        certificate: pem,
        caChain: [pem],
        serialNumber: colonHex(cert.serialNumber),
        notAfter: unixSeconds(cert.notAfter),
      };
      newIssuers.push(entry);
      result.imported_issuers!.push(entry.id);
      result.mapping[entry.id] = entry.keyId;
    }
    // An existing keyless issuer whose key just arrived can sign from now on.
    const keyed = issuers
      .filter((i) => !i.keyId)
      .map((i) => ({ i, k: keyBySpki.get(spkiOfCertificate(new x509.X509Certificate(i.certificate))) }))
      .filter((x) => x.k)
      .map(({ i, k }) => ({ ...i, keyId: k!.id }));

    const everything = [...issuers.map((i) => keyed.find((k) => k.id === i.id) ?? i), ...newIssuers];
    const rechained = new Map((await rebuiltChains(everything)).map((i) => [i.id, i]));
    for (const i of newIssuers) i.caChain = rechained.get(i.id)?.caChain ?? i.caChain;
    const updated = new Map<string, IssuerEntry>();
    for (const i of everything) if (!newIssuers.includes(i) && (rechained.has(i.id) || keyed.some((k) => k.id === i.id))) updated.set(i.id, rechained.get(i.id) ?? i);
    for (const id of Object.keys(result.mapping)) result.mapping[id] = updated.get(id)?.keyId ?? result.mapping[id]!;
    const config = await issuersConfig(ctx.storage);
    // The first issuer that can sign becomes the default of a mount without one, as in Vault.
    const firstDefault = config.default ? undefined : newIssuers.find((i) => i.keyId) ?? newIssuers[0];
    await applyOps(ctx.storage, [
      ...newKeys.map(keyOp),
      ...newIssuers.map(issuerOp),
      ...[...updated.values()].map(issuerOp),
      ...(firstDefault ? [issuersConfigOp({ default: firstDefault.id })] : []),
    ]);
    for (const field of ['imported_issuers', 'imported_keys', 'existing_issuers', 'existing_keys'] as const) {
      if (result[field]!.length === 0) result[field] = null;
    }
    return result;
  });
}
