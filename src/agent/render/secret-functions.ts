/**
 * The template functions that talk to the server, bound to one template: `secret` (read,
 * or write when given `key=value` arguments), `secrets` (list) and `pkiCert`. Each call
 * goes through the shared dependency store and is remembered as one of the template's
 * dependencies, so a change to it renders the template again.
 */
import { fixed, variadic, type FunctionMap } from '../template/index.js';
import type { DependencyKind, DependencyStore } from './dependencies.js';

/** A fetch that failed: worth another try later, unlike a mistake in the template. */
export class SecretFetchError extends Error {
  override readonly name = 'SecretFetchError';
}

export const SECRET_FUNCTION_NAMES = ['secret', 'secrets', 'pkiCert'];

function parseArgs(fn: string, raw: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of raw) {
    if (typeof a !== 'string') throw new Error(`${fn} arguments must be "key=value" strings`);
    const eq = a.indexOf('=');
    // The argument itself stays out of the message: it may carry a password.
    if (eq <= 0) throw new Error(`${fn} argument ${raw.indexOf(a) + 2} is not key=value`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

export function secretFunctions(store: DependencyStore, consumer: string, used: Set<string>, destination: string | undefined): FunctionMap {
  const get = (kind: DependencyKind, path: unknown, args: Record<string, string>, dest?: string) => {
    if (typeof path !== 'string' || path.trim() === '') throw new Error('the path must be a non-empty string');
    used.add(store.keyOf(kind, path, args, dest));
    return store.get(kind, path, args, consumer, dest).catch((e: Error) => {
      throw new SecretFetchError(e.message, { cause: e });
    });
  };
  return {
    secret: variadic(1, (path, ...rest) => {
      const args = parseArgs('secret', rest);
      return get(rest.length ? 'write' : 'read', path, args);
    }),
    secrets: fixed(1, (path) => get('list', path, {})),
    pkiCert: variadic(1, (path, ...rest) => get('pki', path, parseArgs('pkiCert', rest), destination)),
  };
}
