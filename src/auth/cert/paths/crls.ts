/**
 * `crls/` (LIST) and `crls/:name`: CRLs whose revoked serials no login may present, at any
 * place in its chain. As Vault, a serial counts whoever issued it: a CRL is trusted input
 * from the operator, so the check errs toward refusing.
 */
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { listEntries, pageFields } from '../../../framework/listing.js';
import { CRL_PREFIX, getCrl, isEntryName, putCrl, type RevokedSerials } from '../storage.js';

const MAX_CRL_BYTES = 16 * 1024 * 1024;

function requireName(raw: string): string {
  const name = raw.trim();
  if (!isEntryName(name)) throw invalidRequest('invalid name: use up to 128 letters, digits, "_", "-", "." and "@"');
  return name;
}

/** PEM (or base64 DER) text as a CRL's revoked serials, decimal; 400 when it is not a CRL. */
function parseCrl(text: string): string[] {
  if (text.length > MAX_CRL_BYTES) throw invalidRequest('crl is too large');
  let crl: x509.X509Crl;
  try {
    const body = text.includes('-----BEGIN') ? text : Buffer.from(text.replace(/\s+/g, ''), 'base64');
    crl = new x509.X509Crl(body);
  } catch {
    throw invalidRequest('crl is not a PEM (or base64 DER) certificate revocation list');
  }
  const serials = crl.entries.map((e) => BigInt('0x' + (e.serialNumber || '0')).toString(10));
  return [...new Set(serials)];
}

export function crlPaths(revoked: RevokedSerials): PathDefinition[] {
  return [
    definePath({
      pattern: 'crls/?',
      fields: pageFields,
      operations: { list: (ctx) => listEntries(ctx.storage, CRL_PREFIX, ctx.fields) },
      help: { synopsis: 'List the CRLs this mount honours.' },
    }),
    definePath({
      pattern: 'crls/:name',
      fields: {
        name: z.string().describe('The name of the CRL'),
        crl: z.string().optional().describe('The CRL, PEM (or base64 DER)'),
        url: z.string().optional().describe('Not supported: send the CRL itself'),
      },
      operations: {
        update: async (ctx) => {
          const name = requireName(ctx.fields.name);
          if (ctx.fields.url !== undefined) throw invalidRequest('url is not supported by this server: fetch the CRL and send it as crl');
          if (!ctx.fields.crl) throw invalidRequest('missing crl');
          const serials = parseCrl(ctx.fields.crl);
          revoked.clear();
          await putCrl(ctx.storage, { name, serials });
          revoked.clear();
          return null;
        },
        read: async (ctx) => {
          const crl = await getCrl(ctx.storage, requireName(ctx.fields.name));
          return crl ? { data: { serials: Object.fromEntries(crl.serials.map((s) => [s, {}])) } } : null;
        },
        delete: async (ctx) => {
          revoked.clear();
          await ctx.storage.delete(CRL_PREFIX + requireName(ctx.fields.name));
          revoked.clear();
          return null;
        },
      },
      help: { synopsis: 'Add, read or remove a CRL honoured at login.' },
    }),
  ];
}
