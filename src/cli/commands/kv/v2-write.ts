/**
 * The writes `kv metadata put|patch`, `kv undelete` and `kv destroy` send to a KV version 2
 * path, and what they print after: a success line when the server answers with nothing, else
 * its answer.
 */
import type { Logical, Secret } from '../../../api/logical.js';
import type { Context } from '../../context.js';
import { failure } from '../../errors.js';
import { outputSecret } from '../../output/format.js';

export async function writeV2(ctx: Context, fullPath: string, send: (api: Logical) => Promise<Secret | null>): Promise<number> {
  let secret;
  try {
    secret = await send(ctx.api());
  } catch (err) {
    throw failure(`Error writing data to ${fullPath}`, err);
  }
  if (!secret) {
    if (ctx.format === 'table') ctx.out(`Success! Data written to: ${fullPath}`);
    return 0;
  }
  return outputSecret(ctx, secret);
}
