/**
 * Which KV version a path is under and what API path to use, as the Vault CLI decides: ask
 * `sys/internal/ui/mounts/<path>` for the mount (`data.path`) and its `options.version`
 * (a 404 means an old server: version 1), then put `data/`, `metadata/`, `delete/`… after
 * the mount path for version 2, and use the path as it is for version 1.
 */
import { posix } from 'node:path';
import type { Context } from '../../context.js';
import { sanitizePath } from '../../command.js';
import { CommandFailed, describeError } from '../../errors.js';

/** Go's path.Join: empty parts dropped, the result cleaned, no trailing slash. */
export function joinPath(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  if (kept.length === 0) return '';
  const cleaned = posix.normalize(kept.join('/')).replace(/\/+$/, '');
  return cleaned === '.' ? '' : cleaned;
}

/** Vault's addPrefixToKVPath: `secret/foo` under mount `secret/` with prefix `data` → `secret/data/foo`. */
export function addPrefixToKvPath(path: string, mountPath: string, apiPrefix: string, skipIfExists = false): string {
  if (path === mountPath || path === mountPath.replace(/\/$/, '')) return joinPath(mountPath, apiPrefix);
  const trimPrefix = (s: string, prefix: string) => (prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s);
  let mount = mountPath;
  let suffix = trimPrefix(path, mount);
  while (suffix === path) {
    const slash = mount.indexOf('/');
    if (slash === -1 || mount.slice(slash + 1) === '') break;
    mount = mount.slice(slash + 1).replace(/\/$/, '');
    suffix = trimPrefix(suffix, mount);
  }
  if (skipIfExists && (suffix.startsWith(apiPrefix) || suffix.startsWith(`/${apiPrefix}`))) return joinPath(mount, suffix);
  return joinPath(mount, apiPrefix, suffix);
}

export interface KvMount {
  mountPath: string;
  v2: boolean;
}

export async function kvPreflight(ctx: Context, path: string): Promise<KvMount> {
  let res;
  try {
    res = await ctx.api().probe('GET', `sys/internal/ui/mounts/${path}`);
  } catch (err) {
    throw new CommandFailed(describeError(err));
  }
  if (res.status === 404) return { mountPath: '', v2: false };
  if (res.status >= 400) throw new CommandFailed(describeError(res.error()));
  const data = res.body?.data as { path?: unknown; options?: { version?: unknown } | null } | null | undefined;
  if (!data) throw new CommandFailed('nil response from pre-flight request');
  const mountPath = typeof data.path === 'string' ? data.path : '';
  return { mountPath, v2: String(data.options?.version ?? '1') === '2' };
}

export interface KvTarget extends KvMount {
  /** The path typed (with the mount joined in front for `-mount` and v2). */
  partialPath: string;
  /** For v1: the API path. For v2: add a prefix with `apiPath`. */
  v1Path: string;
  apiPath(prefix: string, skipIfExists?: boolean): string;
}

/** `secret/foo`, or `-mount=secret foo`, resolved against the server. */
export async function kvTarget(ctx: Context, arg: string, mountFlag: string | undefined): Promise<KvTarget> {
  let partialPath = sanitizePath(arg);
  let mount: KvMount;
  let v1Path: string;
  if (mountFlag) {
    const flagMount = sanitizePath(mountFlag);
    mount = await kvPreflight(ctx, flagMount);
    const base = mount.mountPath || flagMount;
    v1Path = joinPath(base, partialPath);
    if (mount.v2) partialPath = joinPath(base, partialPath);
  } else {
    mount = await kvPreflight(ctx, partialPath);
    v1Path = partialPath;
  }
  return {
    ...mount,
    partialPath,
    v1Path,
    apiPath: (prefix, skip = false) => addPrefixToKvPath(partialPath, mount.mountPath, prefix, skip),
  };
}

/**
 * The API path under `prefix` (`metadata`, `undelete`…) for a key on a KV version 2 mount;
 * on version 1 a failure, "<what> not supported on KV Version 1".
 */
export async function kvV2Path(ctx: Context, arg: string, mountFlag: string | undefined, prefix: string, what: string): Promise<string> {
  const target = await kvTarget(ctx, arg, mountFlag);
  if (!target.v2) throw new CommandFailed(`${what} not supported on KV Version 1`);
  return target.apiPath(prefix);
}

/** Vault's `== Header ==` line, about as wide as the table below it. */
export function padEqualSigns(header: string, totalLen: number): string {
  let signs = totalLen - (header.length + 2);
  if (signs <= 0) signs = 4;
  if (signs % 2 !== 0) signs++;
  const side = '='.repeat(signs / 2);
  return `${side} ${header} ${side}`;
}

export function headerForMap(header: string, data: Record<string, unknown> | null | undefined): string {
  const maxKey = Math.max(0, ...Object.keys(data ?? {}).map((k) => k.length));
  return padEqualSigns(header, maxKey + 4 + 5);
}

export function outputPath(ctx: Context, path: string, title: string): void {
  ctx.out(padEqualSigns(title, path.length));
  ctx.out(path);
  ctx.out('');
}

/** `-versions=1,2 -versions=3` → ["1","2","3"]. */
export function versionsOf(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export const MOUNT_FLAG = {
  mount: {
    type: 'string' as const,
    usage: 'The KV mount path, when the secret path is given without it ("-mount=secret creds" instead of "secret/creds").',
  },
};
