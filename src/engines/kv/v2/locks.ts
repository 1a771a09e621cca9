/**
 * One writer at a time per secret. A write reads the secret's metadata, decides (check-and-
 * set, next version number) and writes it back across several awaits; two such writes
 * interleaving would hand out one version number twice. Reads take no lock.
 */
import { KeyLock } from '../../../framework/key-lock.js';

const secrets = new KeyLock();

/** Runs `fn` after every earlier holder of `id` (mount uuid + secret path) has finished. */
export function withKeyLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
  return secrets.run(id, fn);
}
