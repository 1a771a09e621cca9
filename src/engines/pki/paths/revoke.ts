/**
 * revoke (by serial number), certs/revoked, and the CRLs: crl (DER), crl/pem and crl/rotate.
 * A revocation rebuilds its issuer's CRL before it is answered, so the next CRL fetch lists it.
 */
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type BackgroundContext, type PathDefinition } from '../../../framework/backend.js';
import { applyOps, getJson, jsonOp } from '../../../logical/storage.js';
import { currentCrl, rebuildCrl, revokedKey } from '../crl.js';
import { certKey, type StoredCert } from '../leaf.js';
import { allIssuers, findIssuer, getIssuer } from '../storage.js';
import { withMountLock } from '../lock.js';
import type { Ctx } from './common.js';

const answer = (t: number) => ({ data: { revocation_time: t, revocation_time_rfc3339: new Date(t * 1000).toISOString(), state: 'revoked' } });

async function revoke(ctx: Ctx<{ serial_number: string }>) {
  const serial = ctx.fields.serial_number.trim();
  if (!/^[0-9a-fA-F]{2}([:-]?[0-9a-fA-F]{2})*$/.test(serial)) throw invalidRequest(`invalid serial_number "${serial}": use colon-separated hex`);
  return withMountLock(ctx.mount, 'crl', () => revokeSerial(ctx, serial));
}

/** Revokes a stored certificate and rebuilds its issuer's CRL; the caller holds the mount's crl lock. */
export async function revokeSerial(ctx: BackgroundContext, serial: string) {
  const stored = await getJson<StoredCert>(ctx.storage, certKey(serial));
  if (!stored) throw invalidRequest(`certificate with serial ${serial} not found (roles with no_store keep no copy to revoke)`);
  // Revoking twice changes nothing: the first time stands.
  if (stored.revocationTime) return answer(stored.revocationTime);
  const time = Math.floor(ctx.clock() / 1000);
  await applyOps(ctx.storage, [jsonOp(certKey(serial), { ...stored, revocationTime: time } satisfies StoredCert), jsonOp(revokedKey(serial), { time })]);
  const issuer = await getIssuer(ctx.storage, stored.issuerId);
  if (issuer) await rebuildCrl(ctx, issuer);
  return answer(time);
}

async function defaultCrl(ctx: Ctx<unknown>): Promise<string | null> {
  const issuer = await findIssuer(ctx.storage, 'default');
  return issuer ? currentCrl(ctx, issuer) : null;
}

export function revokePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'revoke',
      fields: { serial_number: z.string().describe('The serial number of the certificate to revoke') },
      operations: { update: revoke },
      help: { synopsis: "Revoke a stored certificate by serial number; its issuer's CRL is rebuilt at once." },
    }),
    definePath({
      pattern: 'certs/revoked/?',
      operations: {
        list: async (ctx) => {
          const keys = (await ctx.storage.list('revoked/')).map((k) => k.replace(/-/g, ':'));
          return keys.length ? { data: { keys } } : null;
        },
      },
      help: { synopsis: 'List the serial numbers of revoked certificates.' },
    }),
    definePath({
      pattern: 'crl',
      operations: {
        read: async (ctx) => {
          const pem = await defaultCrl(ctx);
          return pem ? { file: { contentType: 'application/pkix-crl', body: Buffer.from(new x509.X509Crl(pem).rawData) } } : { status: 204 };
        },
      },
      help: { synopsis: "The default issuer's CRL, DER; needs no token." },
    }),
    definePath({
      pattern: 'crl/pem',
      operations: {
        read: async (ctx) => {
          const pem = await defaultCrl(ctx);
          return pem ? { file: { contentType: 'application/x-pem-file', body: Buffer.from(pem) } } : { status: 204 };
        },
      },
      help: { synopsis: "The default issuer's CRL, PEM; needs no token." },
    }),
    definePath({
      pattern: 'crl/rotate',
      operations: {
        read: async (ctx) => {
          await withMountLock(ctx.mount, 'crl', async () => {
            for (const issuer of await allIssuers(ctx.storage)) if (issuer.keyId) await rebuildCrl(ctx, issuer);
          });
          return { data: { success: true } };
        },
      },
      help: { synopsis: "Rebuild every issuer's CRL now." },
    }),
  ];
}
