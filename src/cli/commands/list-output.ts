/** What `list` and `kv list` print for a LIST answer: its keys, or why there are none. */
import type { Secret } from '../../api/logical.js';
import type { Context } from '../context.js';
import { CommandFailed } from '../errors.js';
import { outputData, outputList, outputSecret } from '../output/format.js';

export function listResult(ctx: Context, path: string, secret: Secret | null): number {
  // A wrapped answer (-wrap-ttl) has no keys, only the wrapping token: show that.
  if (secret?.wrap_info) return outputSecret(ctx, secret);
  const keys = (secret?.data as { keys?: unknown } | null | undefined)?.keys;
  if (ctx.format !== 'table' && (!secret || !Array.isArray(keys))) {
    outputData(ctx, {});
    return 2;
  }
  if (!secret) throw new CommandFailed(`No value found at ${path}`, 2);
  if (!secret.data) return outputSecret(ctx, secret);
  if (!Array.isArray(keys)) throw new CommandFailed(`No entries found at ${path}`, 2);
  return outputList(ctx, secret);
}
