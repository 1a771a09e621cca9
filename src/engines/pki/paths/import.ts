/**
 * issuers/import/bundle and issuers/import/cert (CA certificates, with or without their
 * keys) and keys/import (a lone key, e.g. for a CSR made here later with intermediate/generate
 * type existing). The private key of an import is never answered back.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { importBundle } from '../importer.js';
import { withMountLock } from '../lock.js';
import { bundleKey, parseBundle, spkiOfPrivateKey } from '../pem-bundle.js';
import { allKeys, checkName, keyOp } from '../storage.js';
import { applyOps } from '../../../logical/storage.js';
import type { Ctx } from './common.js';

const bundleFields = { pem_bundle: z.string().describe('PEM: CA certificates, and optionally the private key of one (PKCS#1, SEC1 or PKCS#8)') };

async function importIssuers(ctx: Ctx<{ pem_bundle: string }>) {
  const bundle = parseBundle(ctx.fields.pem_bundle, 'pem_bundle');
  return { data: await importBundle(ctx, bundle) };
}

const keyFields = {
  key: z.string().describe('A PEM private key: PKCS#1, SEC1 or PKCS#8, unencrypted'),
  key_name: z.string().default('').describe('A name for the key, unique in this mount'),
};

async function importKey(ctx: Ctx<z.infer<z.ZodObject<typeof keyFields>>>) {
  const { key: pem, key_name } = ctx.fields;
  checkName('key', key_name);
  const blocks = pem.match(/-----BEGIN /g)?.length ?? 0;
  if (blocks !== 1) throw invalidRequest(`key must hold exactly one PEM private key, found ${blocks} PEM blocks`);
  const key = bundleKey(pem, 'key');
  return withMountLock(ctx.mount, 'issuers', async () => {
    const keys = await allKeys(ctx.storage);
    const existing = keys.find((k) => spkiOfPrivateKey(k.privateKey) === key.spki);
    if (existing) return { data: { key_id: existing.id, key_name: existing.name, key_type: existing.spec.type } };
    if (key_name && keys.some((k) => k.name === key_name)) throw invalidRequest(`key name "${key_name}" is already in use`);
    const id = randomUUID();
    await applyOps(ctx.storage, [keyOp({ id, name: key_name, spec: key.spec, privateKey: key.privateKey })]);
    return { data: { key_id: id, key_name, key_type: key.spec.type } };
  });
}

export function importPaths(): PathDefinition[] {
  const help = {
    synopsis: 'Import CA certificates, and optionally their keys, as issuers.',
    description: 'Certificates must be CAs; a key must belong to a certificate in the bundle or an issuer already here. Importing what the mount holds is a no-op listed under existing_issuers and existing_keys.',
  };
  return [
    definePath({ pattern: 'issuers/import/bundle', fields: bundleFields, operations: { update: importIssuers }, help }),
    definePath({ pattern: 'issuers/import/cert', fields: bundleFields, operations: { update: importIssuers }, help }),
    // The pre-1.11 path for the same import, which older clients (hvac's submit_ca_information) still use.
    definePath({ pattern: 'config/ca', fields: bundleFields, operations: { update: importIssuers }, help }),
    definePath({
      pattern: 'keys/import',
      fields: keyFields,
      operations: { update: importKey },
      help: { synopsis: 'Import a private key with no issuer yet; the key is never answered back.' },
    }),
  ];
}
