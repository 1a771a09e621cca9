/**
 * A wrapping token's cubbyhole, as Vault lays it out: `response` holds the wrapped answer
 * as one JSON string (`{"response": "..."}`, so a client reading cubbyhole/response with the
 * token gets what Vault would give it) and `wrapinfo` holds what sys/wrapping/lookup tells.
 * Keys sit under the token's cubbyhole id in the cubbyhole mount's storage, so revoking the
 * token deletes them with the rest of its cubbyhole.
 */
import { internalError } from '../../errors.js';
import { applyOps, getJson, jsonOp, type Storage } from '../../logical/storage.js';

export interface WrapRecord {
  /** seconds */
  creation_ttl: number;
  /** RFC 3339 */
  creation_time: string;
  creation_path: string;
}

const responseKey = (cubbyholeId: string) => `${cubbyholeId}/response`;
const infoKey = (cubbyholeId: string) => `${cubbyholeId}/wrapinfo`;

/** Both entries in one commit: a wrapping token never holds half of what it promises. */
export function storeWrapped(storage: Storage, cubbyholeId: string, body: string, info: WrapRecord): Promise<void> {
  return applyOps(storage, [jsonOp(responseKey(cubbyholeId), { response: body }), jsonOp(infoKey(cubbyholeId), info)]);
}

/** The wrapped answer's JSON text; null when the cubbyhole holds none (already opened, or emptied). */
export async function readWrappedBody(storage: Storage, cubbyholeId: string): Promise<string | null> {
  const entry = await getJson<{ response?: unknown }>(storage, responseKey(cubbyholeId));
  if (!entry) return null;
  if (typeof entry.response !== 'string') throw internalError('wrapped response is malformed');
  return entry.response;
}

export async function readWrapRecord(storage: Storage, cubbyholeId: string): Promise<WrapRecord | null> {
  return getJson<WrapRecord>(storage, infoKey(cubbyholeId));
}
