/**
 * LIST paging (`after`, `limit`, as OpenBao offers them) and SCAN, the recursive listing.
 * Both read key names only, never values: a page of a 100,000-key folder costs one
 * ordered range read.
 */
import { z } from 'zod';
import type { HandlerContext } from '../../framework/backend.js';
import type { Operation } from '../../logical/request.js';
import type { Storage } from '../../logical/storage.js';
import { input, intField, parseInput } from './input.js';

export const MAX_PAGE = 10_000;
/** Entries fetched per storage call while scanning. */
const SCAN_BATCH = 1_000;

export const pageFields = {
  after: z.string().describe('List only entries sorting after this one (need not exist); for paging'),
  limit: intField()
    .refine((n) => n >= 0 && n <= MAX_PAGE, `expected an integer from 1 to ${MAX_PAGE} (0 means no limit)`)
    .describe(`At most this many entries, 1 to ${MAX_PAGE}; 0 or unset means all`),
};

const pageInput = input({ after: pageFields.after.optional(), limit: pageFields.limit.optional() });

export interface Page {
  after: string;
  /** undefined: no limit */
  limit: number | undefined;
}

export function parsePage(raw: Record<string, unknown>): Page {
  const { after, limit } = parseInput(pageInput, raw);
  return { after: after ?? '', limit: limit === 0 ? undefined : limit };
}

/** One level below `prefix` ('' or ending in '/'): keys, and folders ending in '/'. */
export function listLevel(storage: Storage, prefix: string, page: Page): Promise<string[]> {
  if (page.after === '' && page.limit === undefined) return storage.list(prefix);
  return storage.listPage(prefix, page.after, page.limit ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Every key below `prefix`, as paths relative to it, in byte order, depth first. With
 * `after` (a relative path) the walk starts just past it, so pages chain: the last key of
 * one page is the `after` of the next.
 *
 * `visible` is LIST's filter, asked about folders (ending in '/') and keys alike: a SCAN
 * answers only what LISTs folder by folder from its root would, so a folder LIST would hide
 * is not entered, and keys below it stay unnamed even when they could be read.
 */
export async function scanKeys(storage: Storage, prefix: string, page: Page, visible?: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  const max = page.limit ?? Infinity;

  const visit = async (folder: string, after: string): Promise<void> => {
    let cursor = after;
    const slash = after.indexOf('/');
    if (slash >= 0) {
      // Resume inside the folder named by `after`'s first segment, then past that folder.
      const inner = after.slice(0, slash + 1);
      if (!visible || visible(folder + inner)) await visit(folder + inner, after.slice(slash + 1));
      if (out.length >= max) return;
      cursor = inner;
    }
    for (;;) {
      const batch = Math.min(SCAN_BATCH, max - out.length);
      const entries = await storage.listPage(prefix + folder, cursor, batch);
      for (const entry of entries) {
        if (visible && !visible(folder + entry)) continue;
        if (entry.endsWith('/')) await visit(folder + entry, '');
        else out.push(folder + entry);
        if (out.length >= max) return;
      }
      if (entries.length < batch) return;
      cursor = entries[entries.length - 1]!;
    }
  };

  await visit('', page.after);
  return out;
}

/**
 * LIST and SCAN name only what the caller may see: keys it may read, folders it may list.
 * `aclPath` maps a name from the answer to the mount-relative path its ACL check is about.
 * A page filtered this way can hold fewer names than `limit`; paging by `after` still chains.
 */
export function visibleFilter(
  ctx: HandlerContext,
  aclPath: (name: string) => { path: string; operation: Operation },
): ((name: string) => boolean) | undefined {
  const allowed = ctx.allowed;
  if (!allowed || ctx.caller?.isRoot) return undefined;
  return (name) => {
    const { path, operation } = aclPath(name);
    return allowed(path, operation);
  };
}
