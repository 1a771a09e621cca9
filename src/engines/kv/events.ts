/**
 * kv's change notifications, sent once per operation after the change is committed. The
 * metadata names paths and versions, never a value; paths are relative to the mount (the
 * bus puts the mount path in front). `data_path` is where the secret's data is read, so a
 * subscriber only hears of secrets its token may read.
 */
import type { HandlerContext } from '../../framework/backend.js';

/** kv-v1: `kv-v1/write`, `kv-v1/delete`. */
export function kvV1Event(ctx: HandlerContext, operation: 'write' | 'delete', key: string): void {
  ctx.events?.send(`kv-v1/${operation}`, { modified: 'true', operation, path: key, data_path: key });
}

export type KvV2Operation =
  | 'data-write'
  | 'data-patch'
  | 'data-delete'
  | 'delete'
  | 'undelete'
  | 'destroy'
  | 'metadata-write'
  | 'metadata-patch'
  | 'metadata-delete';

/** `requestPath` is what was called below the mount (`destroy/foo`); `secret` the secret's path (`foo`). */
export function kvV2Event(
  ctx: HandlerContext,
  operation: KvV2Operation,
  requestPath: string,
  secret: string,
  modified: boolean,
  extra: Record<string, string> = {},
): void {
  ctx.events?.send(`kv-v2/${operation}`, {
    ...extra,
    modified: String(modified),
    operation,
    path: requestPath,
    data_path: `data/${secret}`,
    metadata_path: `metadata/${secret}`,
  });
}
