/** `code/:name`: GET generates the current code of an (imported) key; POST validates one, once. */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { stepExpiry, totpCode, totpStep, type UsedCodes } from '../../../crypto/totp.js';
import { getKey } from '../storage.js';

export function codePaths(used: UsedCodes): PathDefinition[] {
  return [
    definePath({
      pattern: 'code/:name',
      fields: { name: z.string(), code: z.string().optional().describe('The code to validate') },
      operations: {
        read: async (ctx) => {
          const key = await getKey(ctx.storage, ctx.fields.name);
          if (!key) throw invalidRequest(`unknown key: ${ctx.fields.name}`);
          return { data: { code: totpCode(key, ctx.clock()) } };
        },
        update: async (ctx) => {
          const code = (ctx.fields.code ?? '').trim();
          if (code === '') throw invalidRequest('missing code');
          const key = await getKey(ctx.storage, ctx.fields.name);
          if (!key) throw invalidRequest(`unknown key: ${ctx.fields.name}`);
          const now = ctx.clock();
          const step = totpStep(key, code, key.skew, now);
          if (step === undefined) return { data: { valid: false } };
          if (!used.use(`${ctx.fields.name}\n`, step, code, stepExpiry(step, key.period, key.skew), now)) throw invalidRequest('code already used; wait until the next time period');
          return { data: { valid: true } };
        },
      },
      help: { synopsis: 'Generate the current code of a key (GET), or validate a code (POST); each code validates once.' },
    }),
  ];
}
