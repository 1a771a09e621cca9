/**
 * root/generate/:type: a new self-signed CA and its key, stored behind the barrier as one
 * issuer and one key. `exported` answers the private key this once; nothing reads it later.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { buildCertificate, colonHex, randomSerialHex, unixSeconds } from '../cert.js';
import * as x509 from '@peculiar/x509';
import { checkKeyFormat, exportKey, privateKeyPem } from '../keys.js';
import { isHostname } from '../names.js';
import { checkGenerationType, generationKey } from './generation-key.js';
import { checkSans, subjectFields, subjectNameOf } from './subject-fields.js';
import { applyOps } from '../../../logical/storage.js';
import { allIssuers, allKeys, checkName, issuerOp, issuersConfig, issuersConfigOp, keyOp } from '../storage.js';
import { withMountLock } from '../lock.js';
import type { Ctx } from './common.js';

export const rootFields = {
  type: z.string().describe('"internal" keeps the key; "exported" also answers it, once; "existing" signs with key_ref'),
  ...subjectFields,
  key_ref: z.string().optional().describe('existing: the id or name of a key this mount holds'),
  max_path_length: f.int().default(-1).describe('The basic constraints path length; -1: none'),
  ttl: f.duration().optional().describe("The CA's lifetime; default the mount's default lease TTL, at most its max"),
  key_type: z.string().default('rsa').describe('rsa, ec or ed25519'),
  key_bits: f.int().default(0).describe('rsa: 2048 (default), 3072, 4096; ec: 256 (default), 384, 521'),
  issuer_name: z.string().default('').describe('A name for the new issuer, unique in this mount'),
  key_name: z.string().default('').describe('A name for the new key, unique in this mount'),
  private_key_format: z.string().default('der').describe('exported: der (PKCS#1/SEC1 in PEM, the default) or pkcs8'),
};
type Fields = z.infer<z.ZodObject<typeof rootFields>>;

/** Vault backdates CAs by 30 s so a clock a little behind still accepts them. */
const BACKDATE_SECONDS = 30;

/** Checked before the (slow) key generation to fail fast, and again under the lock to be sure. */
async function checkNamesFree(ctx: Ctx<unknown>, issuerName: string, keyName: string) {
  if (issuerName && (await allIssuers(ctx.storage)).some((i) => i.name === issuerName)) throw invalidRequest(`issuer name "${issuerName}" is already in use`);
  if (keyName && (await allKeys(ctx.storage)).some((k) => k.name === keyName)) throw invalidRequest(`key name "${keyName}" is already in use`);
}

/** root/generate makes the mount's first root its default; root/rotate never changes the default. */
export async function generateRoot(ctx: Ctx<Fields>, becomeDefault: 'if-none' | 'never' = 'if-none') {
  const { issuer_name, key_name } = ctx.fields;
  const type = checkGenerationType(ctx.fields.type);
  if (!ctx.fields.common_name) throw invalidRequest('the common_name field is required');
  checkName('issuer', issuer_name);
  checkName('key', key_name);
  if (type === 'existing' && key_name) throw invalidRequest('key_name names a new key: with type "existing" rename the key at key/:ref instead');
  checkSans(ctx.fields);
  const keyFormat = checkKeyFormat(ctx.fields.private_key_format);
  await checkNamesFree(ctx, issuer_name, key_name);
  const ttl = ctx.fields.ttl || ctx.system.defaultLeaseTtl;
  if (ttl > ctx.system.maxLeaseTtl) throw invalidRequest(`ttl ${ttl}s is larger than the mount's max lease TTL (${ctx.system.maxLeaseTtl}s)`);

  const now = ctx.clock();
  const gen = await generationKey(ctx, type, ctx.fields);
  const { keys, spec } = gen;
  const serialHex = randomSerialHex(ctx.random);
  const cert = await buildCertificate(
    {
      serialHex,
      subject: {},
      subjectName: new x509.Name(subjectNameOf(ctx.fields)),
      dnsNames: ctx.fields.exclude_cn_from_sans || !isHostname(ctx.fields.common_name) ? ctx.fields.alt_names : [...new Set([ctx.fields.common_name, ...ctx.fields.alt_names])],
      ipAddresses: ctx.fields.ip_sans,
      maxPathLength: ctx.fields.max_path_length < 0 ? undefined : ctx.fields.max_path_length,
      publicKey: keys.publicKey,
      notBefore: new Date(now - BACKDATE_SECONDS * 1000),
      notAfter: new Date(now + ttl * 1000),
      isCa: true,
    },
    { key: keys.privateKey, spec },
  );
  const pem = cert.toString('pem') + '\n';
  const privateKey = await privateKeyPem(keys.privateKey);
  const keyId = gen.existing?.id ?? randomUUID();
  const issuerId = randomUUID();
  // Names checked and entries written under one lock: two roots asking for one name cannot both get it.
  await withMountLock(ctx.mount, 'issuers', async () => {
    await checkNamesFree(ctx, issuer_name, key_name);
    // The first issuer of a mount becomes its default, as in Vault; later ones only when asked.
    const config = await issuersConfig(ctx.storage);
    // One commit: a crash never leaves a key without its issuer, or a default naming nothing.
    await applyOps(ctx.storage, [
      ...(gen.existing ? [] : [keyOp({ id: keyId, name: key_name, spec, privateKey })]),
      issuerOp({ id: issuerId, name: issuer_name, keyId, certificate: pem, caChain: [pem], serialNumber: colonHex(serialHex), notAfter: unixSeconds(cert.notAfter) }),
      ...(config.default || becomeDefault === 'never' ? [] : [issuersConfigOp({ default: issuerId })]),
    ]);
  });

  const data: Record<string, unknown> = {
    certificate: pem,
    issuing_ca: pem,
    expiration: unixSeconds(cert.notAfter),
    serial_number: colonHex(serialHex),
    issuer_id: issuerId,
    issuer_name,
    key_id: keyId,
    key_name: gen.existing?.name ?? key_name,
  };
  if (type === 'exported') Object.assign(data, { private_key: exportKey(keys.privateKey, spec, keyFormat), private_key_type: spec.type });
  return { data };
}

export function rootPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'root/generate/:type',
      fields: rootFields,
      operations: { update: (ctx: Ctx<Fields>) => generateRoot(ctx) },
      help: {
        synopsis: 'Generate a self-signed root CA and its key as a new issuer.',
        description: 'The first issuer of a mount becomes its default. With "exported" the private key is answered once and never again.',
      },
    }),
  ];
}
