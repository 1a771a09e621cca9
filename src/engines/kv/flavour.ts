/**
 * One engine type, two flavours: the mount option `version` ('1' or unset: plain keys;
 * '2': versioned secrets with metadata) decides, per request, which handlers answer.
 */
import { invalidRequest } from '../../errors.js';
import type { HandlerContext, MountInfo } from '../../framework/backend.js';

export type KvFlavour = 1 | 2;

export function flavourOf(mount: MountInfo): KvFlavour {
  const version = mount.options.version;
  if (version === undefined || version === '' || version === '1') return 1;
  if (version === '2') return 2;
  throw invalidRequest(`kv version ${version} is not supported: use 1 or 2`);
}

/**
 * The request path below the mount, trailing slash kept. Version-1 handlers answer every
 * path as a plain key, including the ones version 2 gives a meaning (`data/x`, `config`).
 */
export function relativePath(ctx: HandlerContext): string {
  const full = ctx.req.path;
  const mount = ctx.mount.path;
  if (full.startsWith(mount)) return full.slice(mount.length);
  if (`${full}/` === mount) return '';
  throw new Error(`kv: request path ${full} is not below its mount ${mount}`);
}

/**
 * Mount options as the engine accepts them: `version` 1 or 2 (unset means 1). Moving an
 * existing mount between versions is refused: its stored data would not be migrated.
 */
export function checkMountOptions(next: Record<string, string>, previous?: Record<string, string>): Record<string, string> {
  const version = next.version ?? '';
  if (!['', '1', '2'].includes(version)) throw invalidRequest(`kv version "${version}" is not supported: use 1 or 2`);
  if (previous) {
    const before = previous.version === '2' ? '2' : '1';
    const after = version === '2' ? '2' : '1';
    if (before !== after) throw invalidRequest(`cannot change this mount from kv version ${before} to ${after}: its data would not be migrated`);
  }
  return next;
}
