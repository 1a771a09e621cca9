/** cert/:serial and certs (LIST): the certificates this mount issued and kept (roles without no_store). */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { getJson } from '../../../logical/storage.js';
import { certKey, type StoredCert } from '../leaf.js';
import type { Ctx } from './common.js';

async function readCert(ctx: Ctx<{ serial: string }>) {
  const stored = await getJson<StoredCert>(ctx.storage, certKey(ctx.fields.serial));
  if (!stored) return null;
  const t = stored.revocationTime;
  return { data: { certificate: stored.certificate, issuer_id: stored.issuerId, revocation_time: t, revocation_time_rfc3339: t ? new Date(t * 1000).toISOString() : '' } };
}

async function listCerts(ctx: Ctx<unknown>) {
  const keys = (await ctx.storage.list('certs/')).filter((k) => !k.endsWith('/')).map((k) => k.replace(/-/g, ':'));
  return keys.length ? { data: { keys } } : null;
}

export function certPaths(): PathDefinition[] {
  return [
    definePath({ pattern: 'certs/?', operations: { list: listCerts }, help: { synopsis: 'List the serial numbers of stored certificates.' } }),
    definePath({
      pattern: 'cert/:serial',
      fields: { serial: z.string().describe('Serial number, colon- or dash-separated hex') },
      operations: { read: readCert },
      help: { synopsis: 'Read a stored certificate by serial number; needs no token.' },
    }),
  ];
}
