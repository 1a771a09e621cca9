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
