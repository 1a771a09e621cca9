/**
 * kv: key/value secrets, one engine type in two flavours chosen by the mount option
 * `version`: '1' (or unset) stores one JSON object per path (v1/); '2' keeps versions
 * and metadata per secret (v2/), answering Vault's `config`, `data/`, `metadata/`,
 * `delete/`, `undelete/`, `destroy/` and `subkeys/` paths.
 *
 * Each mount gets the path table of its flavour: core builds a backend per mount from the
 * mount's options, and kv refuses to change `version` on a live mount. A version-1 mount
 * has one catch-all path, so `data/x` or `config` are plain keys there; on a version-2
 * mount paths outside the table answer Vault's 404 with a warning (v2/paths/invalid.ts). The v2
 * fields reach the framework in lenient form and the v2 handlers validate strictly
 * themselves, so each 400 names the field the way Vault's messages do.
 */
import { z } from 'zod';
import { unsupportedOperation } from '../../errors.js';
import { defineBackend, definePath, type Handler, type HandlerContext, type PathDefinition } from '../../framework/backend.js';
import type { Response } from '../../logical/request.js';
import { checkMountOptions, flavourOf, relativePath } from './flavour.js';
import { lenientFields, unknownFields } from './input.js';
import { pageFields } from './paging.js';
import { v1Exists, v1Handlers, type V1Operation } from './v1/handlers.js';
import type { V2Context, V2Operation, V2Path } from './v2/path.js';
import { configPath } from './v2/paths/config.js';
import { dataPath } from './v2/paths/data.js';
import { deletePath } from './v2/paths/delete.js';
import { destroyPath } from './v2/paths/destroy.js';
import { invalidPath, rootAnswer } from './v2/paths/invalid.js';
import { metadataPath } from './v2/paths/metadata.js';
import { subkeysPath } from './v2/paths/subkeys.js';
import { undeletePath } from './v2/paths/undelete.js';

const V2_PATHS: V2Path[] = [configPath, dataPath, metadataPath, deletePath, undeletePath, destroyPath, subkeysPath];
const OPERATIONS: V2Operation[] = ['read', 'list', 'scan', 'update', 'patch', 'delete'];
const READS = new Set<V2Operation>(['read', 'list', 'scan']);

const pathField = z.string().describe('Location of the secret or folder');

type Ctx = HandlerContext<Record<string, unknown>>;

/** Vault's warning for request fields a path does not know; a bodiless answer gains a body for it. */
async function warnUnknownFields(ctx: Ctx, op: V2Operation, v2: V2Path, answer: Promise<Response | null>): Promise<Response | null> {
  const response = await answer;
  const unknown = unknownFields(ctx.raw, v2.fields);
  if (unknown.length === 0) return response;
  const warning = `Endpoint ignored these unrecognized parameters: [${unknown.join(' ')}]`;
  if (response) return { ...response, warnings: [...(response.warnings ?? []), warning] };
  return READS.has(op) ? null : { warnings: [warning] };
}

/** A version-2 path whose every operation falls back to version 1 on a version-1 mount. */
function dualPath(v2: V2Path): PathDefinition {
  const operations: Partial<Record<V2Operation, Handler<Record<string, unknown>>>> = {};
  const hasPath = v2.pattern.includes(':path*');
  for (const op of OPERATIONS) {
    const v2Handler = v2.operations[op];
    const v1Handler = op === 'patch' ? undefined : v1Handlers[op as V1Operation];
    if (!v2Handler && !v1Handler) continue;
    operations[op] = (ctx: Ctx) => {
      if (flavourOf(ctx.mount) === 1) {
        if (!v1Handler) throw unsupportedOperation();
        return v1Handler(ctx, relativePath(ctx));
      }
      const root = hasPath ? rootAnswer(ctx, relativePath(ctx)) : undefined;
      if (root) return root;
      if (!v2Handler) throw unsupportedOperation();
      return warnUnknownFields(ctx, op, v2, v2Handler(ctx as V2Context));
    };
  }
  return definePath({
    pattern: v2.pattern,
    fields: { ...(hasPath ? { path: pathField } : {}), ...lenientFields(v2.fields) },
    acceptsAnyField: true,
    existenceCheck: async (ctx: Ctx) => {
      if (flavourOf(ctx.mount) === 1) return v1Exists(ctx, relativePath(ctx));
      return v2.exists ? v2.exists(ctx as V2Context) : true;
    },
    operations,
    help: v2.help,
  });
}

/** A version-1 mount's one path: every key (version-2 mounts never get it, see kvBackend). */
function v1Path(): PathDefinition {
  const operations: Partial<Record<V1Operation, Handler<Record<string, unknown>>>> = {};
  for (const op of Object.keys(v1Handlers) as V1Operation[]) {
    operations[op] = (ctx: Ctx) => v1Handlers[op](ctx, relativePath(ctx));
  }
  return definePath({
    pattern: ':path*',
    fields: { path: pathField, ...lenientFields(pageFields) },
    acceptsAnyField: true,
    existenceCheck: async (ctx: Ctx) => flavourOf(ctx.mount) === 1 && v1Exists(ctx, relativePath(ctx)),
    operations,
    help: {
      synopsis: 'Read, write, list or delete a secret (kv version 1).',
      description: 'A write replaces the whole JSON object at the path. LIST takes optional after and limit for paging; SCAN lists recursively.',
    },
  });
}

/** A version-2 mount answers the version-2 table; any other has the one catch-all path of version 1. */
export default function kvBackend(mount: { options: Record<string, string> } = { options: {} }) {
  const v2 = mount.options.version === '2';
  return defineBackend({
    type: 'kv',
    help:
      'Key/value secret storage. Mount option version=1 (default): one JSON object per path. ' +
      'version=2: every write keeps a new version, with metadata, check-and-set, soft delete and destroy.',
    paths: v2 ? [...V2_PATHS.map(dualPath), invalidPath()] : [v1Path()],
    mountOptions: checkMountOptions,
  });
}
