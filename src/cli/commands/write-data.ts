/**
 * What `write` and `patch` share: K=V data from the arguments sent to a path, and what they
 * print after, a success line or the secret the server answered with.
 */
import type { Logical, Secret } from '../../api/logical.js';
import { expectArgs, sanitizePath, type Flags } from '../command.js';
import type { Context } from '../context.js';
import { failure } from '../errors.js';
import { UsageError } from '../flags.js';
import { parseKvArgs } from '../kv-args.js';
import { outputSecretOrField } from '../output/format.js';

export function writeResult(ctx: Context, path: string, secret: Secret | null): number {
  if (!secret || (secret.data === null && !secret.auth && !secret.wrap_info && !secret.warnings?.length)) {
    if (ctx.format === 'table') ctx.out(`Success! Data written to: ${path}`);
    return 0;
  }
  return outputSecretOrField(ctx, secret);
}

/** `PATH [DATA K=V...]` (data required unless -force) sent with `send`, then its result printed. */
export async function writeData(
  ctx: Context,
  args: string[],
  flags: Flags,
  send: (api: Logical, path: string, data: Record<string, unknown>) => Promise<Secret | null>,
): Promise<number> {
  expectArgs(args, 1, Infinity);
  if (args.length === 1 && !flags.bool('force')) throw new UsageError('Must supply data or use -force');
  const path = sanitizePath(args[0]!);
  const data = await parseKvArgs(ctx.io, args.slice(1));
  let secret;
  try {
    secret = await send(ctx.api(), path, data);
  } catch (err) {
    throw failure(`Error writing data to ${path}`, err);
  }
  return writeResult(ctx, path, secret);
}
