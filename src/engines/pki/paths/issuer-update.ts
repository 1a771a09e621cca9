/**
 * Changing and removing issuers and keys: issuer/:ref update (POST sets every field, those
 * left out back to their defaults, the name included, as Vault's does; PATCH changes only
 * the fields sent) and delete, key/:ref update and delete. Each change is one commit
 * under the issuers lock, and drops the signer cached for what it touched.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { f } from '../../../framework/fields.js';
import { applyOps } from '../../../logical/storage.js';
import { chainOf, nodesOf } from '../chain.js';
import { withMountLock } from '../lock.js';
import { issuerRemovalOps } from '../issuer-removal.js';
import { checkUrls, clusterConfig } from '../urls.js';
import { forgetIssuer, forgetKey } from '../signer-cache.js';
import {
  allIssuers,
  allKeys,
  checkName,
  deleteKeyOp,
  findIssuer,
  findKey,
  getKey,
  issuerOp,
  issuerOrFail,
  ISSUER_USAGES,
  keyOp,
  type IssuerEntry,
  type IssuerUsage,
} from '../storage.js';
import { issuerData, type Ctx } from './common.js';

export const issuerUpdateFields = {
  issuer_name: z.string().optional().describe('A new name, unique in this mount ("" for none)'),
  leaf_not_after_behavior: z.enum(['err', 'truncate', 'permit']).optional().describe('A certificate asked to outlive this issuer: refuse (err), end it with the issuer (truncate) or allow it (permit)'),
  usage: f.commaList().optional().describe('Any of read-only, issuing-certificates, crl-signing, ocsp-signing'),
  revocation_signature_algorithm: z.string().optional().describe("The CRL's signature algorithm, by Go name; \"\" for the key's default"),
  manual_chain: f.commaList().optional().describe('Issuer references making up this issuer\'s ca_chain, itself first ("self" for itself); empty: built automatically'),
  issuing_certificates: f.commaList().optional().describe('AIA issuing certificate URLs for what this issuer signs'),
  crl_distribution_points: f.commaList().optional().describe('CRL distribution point URLs'),
  ocsp_servers: f.commaList().optional().describe('OCSP server URLs'),
  enable_aia_url_templating: f.bool().optional().describe('Whether the AIA URLs are templates ({{issuer_id}}, {{cluster_path}}…)'),
};
type UpdateFields = { ref: string } & Partial<z.infer<z.ZodObject<typeof issuerUpdateFields>>>;

const SIGNATURE_ALGORITHMS: Record<string, string[]> = {
  rsa: ['SHA256WithRSA', 'SHA384WithRSA', 'SHA512WithRSA', 'SHA256WithRSAPSS', 'SHA384WithRSAPSS', 'SHA512WithRSAPSS'],
  ec: ['ECDSAWithSHA256', 'ECDSAWithSHA384', 'ECDSAWithSHA512'],
  ed25519: ['PureEd25519'],
};

function checkUsage(usage: string[]): IssuerUsage[] {
  const out = new Set<IssuerUsage>();
  for (const u of usage) {
    if (!(ISSUER_USAGES as readonly string[]).includes(u)) throw invalidRequest(`unknown usage "${u}": use ${ISSUER_USAGES.join(', ')}`);
    out.add(u as IssuerUsage);
  }
  return [...out].sort();
}

async function checkSignatureAlgorithm(ctx: Ctx<unknown>, issuer: IssuerEntry, alg: string): Promise<string> {
  if (alg === '') return '';
  const known = Object.values(SIGNATURE_ALGORITHMS).flat().find((a) => a.toLowerCase() === alg.toLowerCase());
  if (!known) throw invalidRequest(`unknown revocation_signature_algorithm "${alg}": use one of ${Object.values(SIGNATURE_ALGORITHMS).flat().join(', ')}`);
  const key = issuer.keyId ? await getKey(ctx.storage, issuer.keyId) : null;
  if (key && !SIGNATURE_ALGORITHMS[key.spec.type]!.includes(known)) throw invalidRequest(`revocation_signature_algorithm ${known} does not fit this issuer's ${key.spec.type} key`);
  return known;
}

async function manualChainOf(ctx: Ctx<unknown>, issuer: IssuerEntry, refs: string[]): Promise<{ ids: string[]; pems: string[] }> {
  const entries: IssuerEntry[] = [];
  for (const ref of refs) entries.push(ref === 'self' ? issuer : await issuerOrFail(ctx.storage, ref));
  if (entries[0]?.id !== issuer.id) entries.unshift(issuer);
  return { ids: entries.map((e) => e.id), pems: entries.map((e) => e.certificate) };
}

/** What a POST means by the fields it leaves out. */
const POST_DEFAULTS = {
  issuer_name: '',
  leaf_not_after_behavior: 'err',
  usage: [...ISSUER_USAGES],
  revocation_signature_algorithm: '',
  manual_chain: [],
  issuing_certificates: [],
  crl_distribution_points: [],
  ocsp_servers: [],
  enable_aia_url_templating: false,
} as const;

const postIssuer = (ctx: Ctx<UpdateFields>) => changeIssuer(ctx, { ...POST_DEFAULTS, ...definedOnly(ctx.fields) } as UpdateFields);
const patchIssuer = (ctx: Ctx<UpdateFields>) => changeIssuer(ctx, ctx.fields);

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function changeIssuer(ctx: Ctx<UpdateFields>, fl: UpdateFields) {
  return withMountLock(ctx.mount, 'issuers', async () => {
    const issuer = await issuerOrFail(ctx.storage, fl.ref);
    const next: IssuerEntry = { ...issuer };
    if (fl.issuer_name !== undefined && fl.issuer_name !== issuer.name) {
      checkName('issuer', fl.issuer_name);
      if (fl.issuer_name && (await allIssuers(ctx.storage)).some((i) => i.name === fl.issuer_name && i.id !== issuer.id)) {
        throw invalidRequest(`issuer name "${fl.issuer_name}" is already in use`);
      }
      next.name = fl.issuer_name;
    }
    if (fl.leaf_not_after_behavior !== undefined) next.leafNotAfterBehavior = fl.leaf_not_after_behavior;
    if (fl.usage !== undefined) next.usage = checkUsage(fl.usage);
    if (fl.revocation_signature_algorithm !== undefined) next.revocationSignatureAlgorithm = await checkSignatureAlgorithm(ctx, issuer, fl.revocation_signature_algorithm);
    if (fl.manual_chain !== undefined) {
      if (fl.manual_chain.length === 0) {
        delete next.manualChain;
        next.caChain = await chainOf(next.certificate, nodesOf(await allIssuers(ctx.storage)));
      } else {
        const chain = await manualChainOf(ctx, issuer, fl.manual_chain);
        next.manualChain = chain.ids;
        next.caChain = chain.pems;
      }
    }
    if (fl.issuing_certificates !== undefined) next.issuingCertificates = fl.issuing_certificates;
    if (fl.crl_distribution_points !== undefined) next.crlDistributionPoints = fl.crl_distribution_points;
    if (fl.ocsp_servers !== undefined) next.ocspServers = fl.ocsp_servers;
    if (fl.enable_aia_url_templating !== undefined) next.enableAiaUrlTemplating = fl.enable_aia_url_templating;
    // Written into every certificate this issuer signs: held to config/urls' rules.
    checkUrls(
      {
        issuing_certificates: next.issuingCertificates ?? [],
        crl_distribution_points: next.crlDistributionPoints ?? [],
        delta_crl_distribution_points: [],
        ocsp_servers: next.ocspServers ?? [],
        enable_templating: next.enableAiaUrlTemplating ?? false,
      },
      await clusterConfig(ctx.storage),
    );
    await applyOps(ctx.storage, [issuerOp(next)]);
    forgetIssuer(ctx.mount, issuer.id);
    return { data: issuerData(next) };
  });
}

async function deleteIssuer(ctx: Ctx<{ ref: string }>) {
  return withMountLock(ctx.mount, 'issuers', async () => {
    const issuer = await findIssuer(ctx.storage, ctx.fields.ref);
    // Deleting what is not there is done already, as Vault answers it.
    if (!issuer) return { status: 204 };
    const { ops, wasDefault } = await issuerRemovalOps(ctx.storage, issuer.id);
    await applyOps(ctx.storage, ops);
    forgetIssuer(ctx.mount, issuer.id);
    if (!wasDefault) return { status: 204 };
    return { data: null, warnings: ['this was the default issuer: the mount has no default issuer now; set one with config/issuers'] };
  });
}

async function updateKey(ctx: Ctx<{ ref: string; key_name?: string }>) {
  return withMountLock(ctx.mount, 'issuers', async () => {
    const key = await findKey(ctx.storage, ctx.fields.ref);
    if (!key) throw invalidRequest(`unable to find key "${ctx.fields.ref}": no key has that id or name`);
    const name = ctx.fields.key_name;
    if (name === undefined) throw invalidRequest('key_name is required');
    checkName('key', name);
    if (name && (await allKeys(ctx.storage)).some((k) => k.name === name && k.id !== key.id)) throw invalidRequest(`key name "${name}" is already in use`);
    await applyOps(ctx.storage, [keyOp({ ...key, name })]);
    forgetKey(ctx.mount, key.id);
    return { data: { key_id: key.id, key_name: name, key_type: key.spec.type } };
  });
}

async function deleteKey(ctx: Ctx<{ ref: string }>) {
  return withMountLock(ctx.mount, 'issuers', async () => {
    const key = await findKey(ctx.storage, ctx.fields.ref);
    if (!key) return { status: 204 };
    const users = (await allIssuers(ctx.storage)).filter((i) => i.keyId === key.id);
    if (users.length) {
      throw invalidRequest(`key "${key.name || key.id}" is in use by issuer(s) ${users.map((i) => i.name || i.id).join(', ')}: delete or re-key them first`);
    }
    await applyOps(ctx.storage, [deleteKeyOp(key.id)]);
    forgetKey(ctx.mount, key.id);
    return { status: 204 };
  });
}

export const issuerWrites = { update: postIssuer, patch: patchIssuer, delete: deleteIssuer };
export const keyWrites = { update: updateKey, patch: updateKey, delete: deleteKey };
