/** Walking the lease ids stored below `sys/expire/id/`, without holding their bodies. */
import type { Storage } from '../../logical/storage.js';

/** Every lease id below `folder` ('' for all, else ending in '/'), depth first, in key order. */
export async function* walkLeaseIds(storage: Storage, folder: string): AsyncGenerator<string> {
  for (const key of await storage.list(`id/${folder}`)) {
    if (key.endsWith('/')) yield* walkLeaseIds(storage, folder + key);
    else yield folder + key;
  }
}
