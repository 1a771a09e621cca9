/** config/issuers: which issuer `default` means (ca, issue and sign without issuer_ref use it). */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { issuerOrFail, issuersConfig, putIssuersConfig } from '../storage.js';
import type { Ctx } from './common.js';

const answer = (id: string) => ({ data: { default: id, default_follows_latest_issuer: false } });

export function configIssuersPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'config/issuers',
      fields: { default: z.string().optional().describe('An issuer id or name') },
      operations: {
        read: async (ctx: Ctx<{ default?: string }>) => answer((await issuersConfig(ctx.storage)).default),
        update: async (ctx: Ctx<{ default?: string }>) => {
          // Resolved to an id now, so renaming the issuer later does not change the default.
          const issuer = await issuerOrFail(ctx.storage, ctx.fields.default ?? '');
          await putIssuersConfig(ctx.storage, { default: issuer.id });
          return answer(issuer.id);
        },
      },
      help: { synopsis: 'Read or set the default issuer.' },
    }),
  ];
}
