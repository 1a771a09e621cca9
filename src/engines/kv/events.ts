/**
 * kv's change notifications, sent once per operation after the change is committed, with
 * Vault's event types and metadata keys: `path` (what was called), `operation`, `modified`,
 * and `data_path` (where the data is read) on the types Vault gives it. Never a value.
 * Paths are relative to the mount (the bus puts the mount path in front). Whatever the
 * type, a subscriber sees the event only if its token may read the secret's data.
 */
import type { HandlerContext } from '../../framework/backend.js';

/** kv-v1: `kv-v1/write` (with data_path), `kv-v1/delete` (without, as in Vault). */
export function kvV1Event(ctx: HandlerContext, operation: 'write' | 'delete', key: string): void {
  const metadata: Record<string, string> = { modified: 'true', operation, path: key };
  if (operation === 'write') metadata.data_path = key;
  ctx.events?.send(`kv-v1/${operation}`, metadata, key);
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

/** The kv-v2 types whose metadata carries `data_path` in Vault. */
const WITH_DATA_PATH: ReadonlySet<KvV2Operation> = new Set(['data-write', 'data-patch', 'undelete', 'metadata-write', 'metadata-patch']);

/** `requestPath` is what was called below the mount (`destroy/foo`); `secret` the secret's path (`foo`). */
export function kvV2Event(
  ctx: HandlerContext,
  operation: KvV2Operation,
  requestPath: string,
  secret: string,
  modified: boolean,
  extra: Record<string, string> = {},
): void {
  const metadata: Record<string, string> = { ...extra, modified: String(modified), operation, path: requestPath };
  if (WITH_DATA_PATH.has(operation)) metadata.data_path = `data/${secret}`;
  ctx.events?.send(`kv-v2/${operation}`, metadata, `data/${secret}`);
}
