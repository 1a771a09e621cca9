/** The shape of a kv-v2 path module: what index.ts turns into a framework path. */
import type { z } from 'zod';
import type { HandlerContext, PathHelp } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { withKeyLock } from './locks.js';

export type V2Operation = 'read' | 'list' | 'scan' | 'update' | 'patch' | 'delete';

/** `fields.path` is the secret path captured by the pattern; everything else is in `raw`. */
export type V2Context = HandlerContext<{ path: string }>;

export type V2Handler = (ctx: V2Context) => Promise<Response | null>;

export interface V2Path {
  /** Ends in `:path*` where the path names a secret or folder. */
  pattern: string;
  /** Strict field types (the `path` parameter aside), validated by the handlers. */
  fields: Record<string, z.ZodType>;
  operations: Partial<Record<V2Operation, V2Handler>>;
  /** create vs update, for ACLs; without one a write is an update. */
  exists?: (ctx: V2Context) => Promise<boolean>;
  help: PathHelp;
}

/** Serializes writers of one secret of one mount. */
export function lockSecret<T>(ctx: V2Context, path: string, fn: () => Promise<T>): Promise<T> {
  return withKeyLock(`${ctx.mount.uuid}\u0000${path}`, fn);
}
