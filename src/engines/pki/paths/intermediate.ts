/**
 * intermediate/generate/:type (a key and a CSR for a CA signed elsewhere; the key is kept
 * with no issuer until the signed certificate returns) and intermediate/set-signed (that
 * certificate, optionally with its chain, becomes an issuer on the key it was made for).
 */
import { randomUUID } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { applyOps } from '../../../logical/storage.js';
import { importBundle } from '../importer.js';
import { checkKeyFormat, exportKey, privateKeyPem, signingAlgorithmOf } from '../keys.js';
import { withMountLock } from '../lock.js';
import { parseBundle } from '../pem-bundle.js';
import { allKeys, checkName, keyOp } from '../storage.js';
import type { Ctx } from './common.js';
import { checkGenerationType, generationKey } from './generation-key.js';
import { checkSans, subjectFields, subjectNameOf } from './subject-fields.js';

const generateFields = {
  type: z.string().describe('"internal" keeps the key; "exported" also answers it, once; "existing" uses key_ref'),
  ...subjectFields,
  key_type: z.string().default('rsa').describe('rsa, ec or ed25519'),
  key_bits: f.int().default(0).describe('rsa: 2048 (default), 3072, 4096; ec: 256 (default), 384, 521'),
  key_name: z.string().default('').describe('A name for the new key, unique in this mount'),
  key_ref: z.string().optional().describe('existing: the id or name of the key to use'),
  add_basic_constraints: f.bool().default(false).describe('Ask for CA:TRUE in the CSR itself'),
  private_key_format: z.string().default('der').describe('exported: der (PKCS#1/SEC1 in PEM, the default) or pkcs8'),
  format: z.string().default('pem').describe('pem (the default), pem_bundle, or der (base64)'),
};
type GenerateFields = z.infer<z.ZodObject<typeof generateFields>>;

function checkFormat(format: string): 'pem' | 'der' {
  if (format === 'pem' || format === 'pem_bundle') return 'pem';
  if (format === 'der') return 'der';
  throw invalidRequest(`unsupported format "${format}": use pem, pem_bundle or der`);
}

async function generateIntermediate(ctx: Ctx<GenerateFields>) {
  const fl = ctx.fields;
  const type = checkGenerationType(fl.type);
  if (!fl.common_name) throw invalidRequest('the common_name field is required');
  const format = checkFormat(fl.format);
  const keyFormat = checkKeyFormat(fl.private_key_format);
  if (type === 'existing' && fl.key_name) throw invalidRequest('key_name names a new key: with type "existing" rename the key at key/:ref instead');
  checkName('key', fl.key_name);
  checkSans(fl);
  const gen = await generationKey(ctx, type, fl);

  const extensions: x509.Extension[] = [];
  const sans: x509.JsonGeneralName[] = [
    ...fl.alt_names.map((value) => ({ type: 'dns' as const, value })),
    ...fl.ip_sans.map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  if (fl.add_basic_constraints) extensions.push(new x509.BasicConstraintsExtension(true, undefined, true));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subjectNameOf(fl), keys: gen.keys, signingAlgorithm: signingAlgorithmOf(gen.spec), extensions });

  let keyId = gen.existing?.id;
  if (!gen.existing) {
    keyId = randomUUID();
    const entry = { id: keyId, name: fl.key_name, spec: gen.spec, privateKey: await privateKeyPem(gen.keys.privateKey) };
    await withMountLock(ctx.mount, 'issuers', async () => {
      if (fl.key_name && (await allKeys(ctx.storage)).some((k) => k.name === fl.key_name)) throw invalidRequest(`key name "${fl.key_name}" is already in use`);
      await applyOps(ctx.storage, [keyOp(entry)]);
    });
  }
  const data: Record<string, unknown> = {
    csr: format === 'der' ? Buffer.from(csr.rawData).toString('base64') : csr.toString('pem') + '\n',
    key_id: keyId,
    key_name: gen.existing?.name ?? fl.key_name,
    key_type: gen.spec.type,
  };
  if (type === 'exported') Object.assign(data, { private_key: exportKey(gen.keys.privateKey, gen.spec, keyFormat), private_key_type: gen.spec.type });
  return { data };
}

async function setSigned(ctx: Ctx<{ certificate: string }>) {
  const bundle = parseBundle(ctx.fields.certificate, 'certificate');
  if (bundle.keys.length) throw invalidRequest('certificate must hold certificates only: the key stays where the CSR was made');
  if (bundle.certificates.length === 0) throw invalidRequest('certificate holds no certificate');
  return { data: await importBundle(ctx, bundle, { firstNeedsKey: true }) };
}

export function intermediatePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'intermediate/generate/:type',
      fields: generateFields,
      operations: { update: generateIntermediate },
      help: {
        synopsis: 'Make a key and a CSR for an intermediate CA signed elsewhere.',
        description: 'The key is kept with no issuer; intermediate/set-signed turns the signed certificate into an issuer on it. "exported" answers the private key once.',
      },
    }),
    definePath({
      pattern: 'intermediate/set-signed',
      fields: { certificate: z.string().describe('The signed CA certificate, PEM, optionally followed by its chain') },
      operations: { update: setSigned },
      help: { synopsis: 'Install a signed intermediate certificate (and its chain) as issuers, on the key its CSR was made with.' },
    }),
  ];
}
