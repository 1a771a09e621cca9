/**
 * One writer at a time per secret. A write reads the secret's metadata, decides (check-and-
 * set, next version number) and writes it back across several awaits; two such writes
 * interleaving would hand out one version number twice. Reads take no lock.
 */
const tails = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier holder of `id` (mount uuid + secret path) has finished. */
export async function withKeyLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(id) ?? Promise.resolve();
  const run = previous.then(fn);
  const tail = run.catch(() => undefined);
  tails.set(id, tail);
  try {
    return await run;
  } finally {
    if (tails.get(id) === tail) tails.delete(id);
  }
}
