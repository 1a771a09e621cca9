/**
 * export/:type/:name[/:version]: key material of exportable keys, in Vault's formats. The
 * public-key export is open to any asymmetric key; everything else needs `exportable`.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { nameField } from '../fields.js';
import type { KeyVersion } from '../key-material.js';
import type { KeyStore } from '../key-store.js';
import { material } from '../key-versions.js';
import type { TransitKey } from '../transit-key.js';
import type { Ctx } from './common.js';

type ExportType = 'encryption-key' | 'signing-key' | 'hmac-key' | 'public-key';
const EXPORT_TYPES: ExportType[] = ['encryption-key', 'signing-key', 'hmac-key', 'public-key'];

const exportFields = {
  type: z.string().describe(`What to export: ${EXPORT_TYPES.join(', ')}`),
  name: nameField,
  version: z.string().optional().describe('A version number (3 or v3) or "latest"; all versions when absent'),
};

const pem = (v: KeyVersion, type: 'pkcs1' | 'sec1') => v.privateKey!.export({ type, format: 'pem' }) as string;

/** One version in the export's format for its key type (Vault's shapes: PKCS#1 and SEC 1 PEM, raw base64). */
function exported(key: TransitKey, v: KeyVersion, what: ExportType): string {
  const family = key.type.family;
  switch (what) {
    case 'hmac-key':
      return v.hmacKey.toString('base64');
    case 'encryption-key':
      if (family === 'aead') return v.secret!.toString('base64');
      return pem(v, 'pkcs1');
    case 'signing-key':
      if (family === 'ecdsa') return pem(v, 'sec1').trim();
      if (family === 'ed25519') return v.secret!.toString('base64'); // seed || public key, Go's 64-byte form
      return pem(v, 'pkcs1');
    case 'public-key':
      return family === 'ecdsa' ? v.publicKeyText.trim() : v.publicKeyText;
  }
}

function checkExport(key: TransitKey, what: ExportType): void {
  const t = key.type;
  if (what !== 'public-key' && !key.settings.exportable) throw invalidRequest('private key material is not exportable: the key was not created or configured with exportable=true');
  if (what === 'encryption-key' && !t.encryption) throw invalidRequest(`encryption-key export is not supported for ${t.name} keys (they do not encrypt)`);
  if (what === 'signing-key' && !t.signing) throw invalidRequest(`signing-key export is not supported for ${t.name} keys (they do not sign)`);
  if (what === 'public-key' && (t.family === 'aead' || t.family === 'hmac')) throw invalidRequest(`${t.name} keys have no public key`);
  if (what === 'public-key' && t.family === 'ed25519' && key.settings.derived) throw invalidRequest('derived ed25519 keys have a public key per context only: read keys/:name with a context');
}

export function exportPaths(store: KeyStore): PathDefinition[] {
  async function exportKey(ctx: Ctx<z.infer<z.ZodObject<typeof exportFields>>>): Promise<Response | null> {
    const what = ctx.fields.type as ExportType;
    if (!EXPORT_TYPES.includes(what)) throw invalidRequest(`invalid export type "${ctx.fields.type}"; use one of ${EXPORT_TYPES.join(', ')}`);
    const key = await store.get(ctx.storage, ctx.fields.name);
    if (!key) return null;
    checkExport(key, what);
    const s = key.settings;
    let versions: number[];
    const wanted = ctx.fields.version;
    if (wanted === undefined || wanted === '') {
      versions = [...key.versions.keys()].filter((n) => n >= s.minDecryptionVersion).sort((a, b) => a - b);
    } else {
      const n = wanted === 'latest' ? s.latestVersion : /^v?\d{1,9}$/.test(wanted) ? Number(wanted.replace(/^v/, '')) : NaN;
      if (!Number.isSafeInteger(n)) throw invalidRequest(`invalid key version "${wanted}"`);
      if (n < s.minDecryptionVersion) throw invalidRequest(`version ${n} is below min_decryption_version (${s.minDecryptionVersion}): not exported`);
      if (!key.versions.has(n)) throw invalidRequest(`version ${n} does not exist`);
      versions = [n];
    }
    const keys: Record<string, string> = {};
    for (const n of versions) keys[String(n)] = exported(key, material(key, n), what);
    return { data: { name: s.name, type: s.type, keys } };
  }

  const help = { synopsis: 'Export key material of an exportable key (or the public key of an asymmetric one).' };
  return [
    definePath({ pattern: 'export/:type/:name', fields: exportFields, operations: { read: exportKey }, help }),
    definePath({ pattern: 'export/:type/:name/:version', fields: exportFields, operations: { read: exportKey }, help }),
  ];
}
