/** LIST answers of backends: Vault's `keys`, with the optional after/limit paging. */
import { f } from './fields.js';
import type { Response } from '../logical/request.js';
import type { Storage } from '../logical/storage.js';

export const pageFields = {
  after: f.string().optional().describe('List only entries after this one'),
  limit: f.int().optional().describe('At most this many entries; 0 or absent = all'),
};

const PAGE = 1000;

/** Entry names (not folders) one level below `prefix`, paged; null (404, as Vault) when empty. */
export async function listEntries(storage: Storage, prefix: string, page: { after?: string; limit?: number }): Promise<Response | null> {
  const wanted = page.limit && page.limit > 0 ? page.limit : Infinity;
  const keys: string[] = [];
  let after = page.after ?? '';
  while (keys.length < wanted) {
    const batch = await storage.listPage(prefix, after, PAGE);
    for (const key of batch) {
      if (keys.length >= wanted) break;
      if (!key.endsWith('/')) keys.push(key);
    }
    if (batch.length < PAGE) break;
    after = batch[batch.length - 1]!;
  }
  return keys.length === 0 ? null : { data: { keys } };
}
