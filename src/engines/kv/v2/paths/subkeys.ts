/** `subkeys/<path>`: the key structure of a version with every value replaced by null. */
import type { Response } from '../../../../logical/request.js';
import { input, nonNegativeInt, parseInput } from '../../input.js';
import { readablePath } from '../../key-path.js';
import { isJsonObject, setOwn } from '../merge-patch.js';
import type { V2Context, V2Path } from '../path.js';
import { readSecretVersion } from '../read-version.js';

const fields = {
  version: nonNegativeInt().describe('Version to describe; 0 or unset = the latest'),
  depth: nonNegativeInt().describe('Deepest level to show; keys at this level are shown as leaves. 0 = no limit'),
};

const subkeysInput = input({ version: fields.version.optional(), depth: fields.depth.optional() });

/**
 * Keys kept, values gone: a non-empty object below `depth` is walked, anything else
 * (values, arrays, empty objects, objects at the depth limit) becomes null.
 */
export function subkeysOf(data: Record<string, unknown>, depth = 0, level = 1): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const walk = isJsonObject(value) && Object.keys(value).length > 0 && (depth === 0 || level < depth);
    setOwn(out, key, walk ? subkeysOf(value as Record<string, unknown>, depth, level + 1) : null);
  }
  return out;
}

async function read(ctx: V2Context): Promise<Response | null> {
  const path = readablePath(ctx.fields.path);
  if (path === null) return null;
  const { version, depth } = parseInput(subkeysInput, ctx.raw);
  const found = await readSecretVersion(ctx, path, version ?? 0);
  if (!found) return null;
  if (!found.data) return { status: 404, data: { subkeys: null, metadata: found.metadata } };
  return { data: { subkeys: subkeysOf(found.data, depth ?? 0), metadata: found.metadata } };
}

export const subkeysPath: V2Path = {
  pattern: 'subkeys/:path*',
  fields,
  operations: { read },
  help: {
    synopsis: 'Show the keys of a secret without its values.',
    description: 'Every leaf value (and every empty object) becomes null; ?depth=N stops descending at level N; ?version=N picks a version.',
  },
};
