/**
 * Root rotation as Vault does it: root/rotate/:type makes a new root beside the current one
 * (never the default, so nothing issued changes yet), root/replace makes an issuer the
 * default once its certificate has been distributed, and DELETE root removes every issuer
 * and key of the mount.
 */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { applyOps } from '../../../logical/storage.js';
import { withMountLock } from '../lock.js';
import { forgetIssuer } from '../signer-cache.js';
import { allIssuers, allKeys, deleteIssuerOp, deleteKeyOp, issuerOrFail, issuersConfigOp } from '../storage.js';
import type { Ctx } from './common.js';
import { generateRoot, rootFields } from './root.js';

async function replaceRoot(ctx: Ctx<{ default: string }>) {
  return withMountLock(ctx.mount, 'issuers', async () => {
    const issuer = await issuerOrFail(ctx.storage, ctx.fields.default);
    await applyOps(ctx.storage, [issuersConfigOp({ default: issuer.id })]);
    return { data: { default: issuer.id, default_follows_latest_issuer: false } };
  });
}

async function deleteRoot(ctx: Ctx<unknown>) {
  return withMountLock(ctx.mount, 'issuers', async () => {
    const issuers = await allIssuers(ctx.storage);
    const keys = await allKeys(ctx.storage);
    await applyOps(ctx.storage, [...issuers.map((i) => deleteIssuerOp(i.id)), ...keys.map((k) => deleteKeyOp(k.id)), issuersConfigOp({ default: '' })]);
    for (const i of issuers) forgetIssuer(ctx.mount, i.id);
    return { status: 204 };
  });
}

export function rotatePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'root/rotate/:type',
      fields: rootFields,
      operations: { update: (ctx: Ctx<z.infer<z.ZodObject<typeof rootFields>>>) => generateRoot(ctx, 'never') },
      help: { synopsis: 'Generate a new root beside the current one; it does not become the default (see root/replace).' },
    }),
    definePath({
      pattern: 'root/replace',
      fields: { default: z.string().default('next').describe('The issuer (id or name) to make the default') },
      operations: { update: replaceRoot },
      help: { synopsis: 'Make an issuer the default, e.g. the root made by root/rotate once clients trust it.' },
    }),
    definePath({
      pattern: 'root',
      operations: { delete: deleteRoot },
      help: { synopsis: 'Delete every issuer and key of this mount; issued certificates stay stored.' },
    }),
  ];
}
