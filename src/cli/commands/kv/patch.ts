/** `coffer kv patch KEY K=V…`: change some fields of a KV version 2 secret, keeping the others. */
import type { Context } from '../../context.js';
import type { Secret } from '../../../api/logical.js';
import { ApiError } from '../../../api/client.js';
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { parseKvArgs } from '../../kv-args.js';
import { kvTarget, MOUNT_FLAG } from './kv-paths.js';
import { printWritten } from './put.js';

async function readThenWrite(ctx: Context, path: string, changes: Record<string, unknown>): Promise<Secret | null> {
  let current;
  try {
    current = await ctx.api().read(path);
  } catch (err) {
    throw failure(`Error doing pre-read at ${path}`, err);
  }
  const body = (current?.data ?? null) as { data?: Record<string, unknown> | null; metadata?: Record<string, unknown> | null } | null;
  if (!body) throw new CommandFailed(`No value found at ${path}`, 2);
  if (!body.metadata) throw new CommandFailed(`No metadata found at ${path}; patch only works on existing data`, 2);
  if (!body.data) throw new CommandFailed(`No data found at ${path}; patch only works on existing data`, 2);
  const data = { ...body.data };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete data[k];
    else data[k] = v;
  }
  try {
    return await ctx.api().write(path, { data, options: { cas: body.metadata.version } });
  } catch (err) {
    throw failure(`Error writing data to ${path}`, err);
  }
}

export default defineCommand({
  name: 'kv patch',
  output: 'field',
  flags: {
    ...MOUNT_FLAG,
    cas: { type: 'int', default: 0, usage: 'Check-and-set: patch only if the current version is this one. 0 (the default) does no check.' },
    method: {
      type: 'string',
      default: '',
      usage: '"patch" sends an HTTP PATCH; "rw" reads the secret and writes it back with the changes. By default PATCH is tried first, then rw if the server does not support it.',
    },
    'remove-data': { type: 'string', repeatable: true, usage: 'A key to remove from the secret. Repeatable.' },
  },
  help: `Usage: coffer kv patch [options] KEY [DATA K=V...]

  Changes the given fields of the secret at KEY and keeps the others, as a new
  version. Only KV version 2 mounts support this, and the secret must exist.

      $ coffer kv patch secret/creds password=rotated
      $ coffer kv patch -remove-data=old_field secret/creds
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1, Infinity);
    const remove = flags.list('remove-data');
    if (args.length === 1 && remove.length === 0) throw new UsageError('Must supply data');
    const method = flags.str('method') ?? '';
    if (!['', 'patch', 'rw'].includes(method)) throw new UsageError(`Unsupported method provided to -method flag: ${method}`);
    const changes = await parseKvArgs(ctx.io, args.slice(1));
    for (const key of remove) changes[key] = null;
    const target = await kvTarget(ctx, args[0]!, flags.str('mount'));
    if (!target.v2) throw new CommandFailed('K/V engine mount must be version 2 for patch support');
    const fullPath = target.apiPath('data');

    let secret: Secret | null;
    if (method === 'rw') secret = await readThenWrite(ctx, fullPath, changes);
    else {
      const cas = flags.int('cas') ?? 0;
      try {
        secret = await ctx.api().patch(fullPath, { data: changes, options: cas > 0 ? { cas } : {} });
      } catch (err) {
        if (method === '' && err instanceof ApiError && err.status === 405) secret = await readThenWrite(ctx, fullPath, changes);
        else throw failure(`Error writing data to ${fullPath}`, err);
      }
    }
    return printWritten(ctx, fullPath, secret);
  },
});
