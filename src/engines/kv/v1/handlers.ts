/**
 * kv version 1: each path holds one JSON object, overwritten in place; no versions, no
 * metadata. Storage keys are the secret paths themselves, so a LIST is one storage list.
 */
import { invalidRequest } from '../../../errors.js';
import type { HandlerContext } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { getJson, putJson } from '../../../logical/storage.js';
import { folderPath, readablePath, writablePath } from '../key-path.js';
import { kvV1Event } from '../events.js';
import { listLevel, parsePage, scanKeys, visibleFilter } from '../paging.js';

export type V1Operation = 'read' | 'list' | 'scan' | 'update' | 'delete';

/** A version-1 handler: the context and the path below the mount. */
export type V1Handler = (ctx: HandlerContext, path: string) => Promise<Response | null>;

export async function v1Exists(ctx: HandlerContext, path: string): Promise<boolean> {
  if (path === '' || path.endsWith('/')) return false;
  return (await ctx.storage.get(path)) !== null;
}

/** A key is visible if the caller may read it; a folder if it may list it. LIST and SCAN share this. */
function visibleIn(ctx: HandlerContext, folder: string) {
  return visibleFilter(ctx, (name) => ({ path: folder + name, operation: name.endsWith('/') ? 'list' : 'read' }));
}

export const v1Handlers: Record<V1Operation, V1Handler> = {
  async read(ctx, path) {
    const key = readablePath(path);
    if (key === null) return null;
    const data = await getJson<Record<string, unknown>>(ctx.storage, key);
    return data ? { data } : null;
  },

  async list(ctx, path) {
    const page = parsePage(ctx.raw);
    const folder = folderPath(path);
    const visible = visibleIn(ctx, folder);
    let keys = await listLevel(ctx.storage, folder, page);
    if (visible) keys = keys.filter(visible);
    return keys.length ? { data: { keys } } : null;
  },

  async scan(ctx, path) {
    const page = parsePage(ctx.raw);
    const folder = folderPath(path);
    const keys = await scanKeys(ctx.storage, folder, page, visibleIn(ctx, folder));
    return keys.length ? { data: { keys } } : null;
  },

  async update(ctx, path) {
    const key = writablePath(path);
    if (Object.keys(ctx.raw).length === 0) throw invalidRequest('missing data fields');
    await putJson(ctx.storage, key, ctx.raw);
    kvV1Event(ctx, 'write', key);
    return null;
  },

  async delete(ctx, path) {
    const key = readablePath(path);
    if (key === null) return null;
    await ctx.storage.delete(key);
    kvV1Event(ctx, 'delete', key);
    return null;
  },
};
