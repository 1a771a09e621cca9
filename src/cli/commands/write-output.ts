/** What write-like commands print: a success line, or the secret the server answered with. */
import type { Secret } from '../../api/logical.js';
import type { Context } from '../context.js';
import { outputSecret, printSecretField } from '../output/format.js';

export function writeResult(ctx: Context, path: string, secret: Secret | null): number {
  if (!secret || (secret.data === null && !secret.auth && !secret.wrap_info && !secret.warnings?.length)) {
    if (ctx.format === 'table') ctx.out(`Success! Data written to: ${path}`);
    return 0;
  }
  if (ctx.field) return printSecretField(ctx, secret, ctx.field);
  return outputSecret(ctx, secret);
}
