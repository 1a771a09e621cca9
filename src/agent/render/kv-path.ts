/**
 * consul-template's KV v2 shim: a template may name a kv-v2 secret without `data/`
 * (`secret "secret/app"`), and `secrets` may list one without `metadata/`. The mount is
 * looked up once through `sys/internal/ui/mounts/<path>`; paths that already carry
 * `data/` or `metadata/` after the mount, and paths on other engines, are left alone.
 */
import { ApiError, encodePath, type ApiClient } from '../../api/client.js';

function shimKvV2Path(path: string, mountPath: string, prefix: 'data' | 'metadata'): string {
  const mount = mountPath.replace(/\/+$/, '');
  if (path === mount) return `${mount}/${prefix}`;
  if (!path.startsWith(mount + '/')) return path;
  const rest = path.slice(mount.length + 1);
  if (rest.startsWith('data/') || rest.startsWith('metadata/') || rest === 'data' || rest === 'metadata') return path;
  return `${mount}/${prefix}/${rest}`;
}

/**
 * The API path for a read (`data`) or list (`metadata`). `cache` says the answer is
 * settled (the server described the mount); a 403 or 404 gives the path as given, for
 * now only. Any other failure (connection refused, sealed, 5xx) throws, so the caller
 * retries instead of settling on a wrong path.
 */
export async function apiPathFor(client: ApiClient, path: string, prefix: 'data' | 'metadata'): Promise<{ path: string; cache: boolean }> {
  // A mount path holds no whitespace, '#', '%' or '\\': the segments before the first that
  // does still name the mount, and the server refuses a lookup of the whole path.
  const segments = path.split('/');
  const odd = segments.findIndex((s) => /[\s#%\\]/.test(s));
  const lookup = `sys/internal/ui/mounts/${encodePath((odd < 0 ? segments : segments.slice(0, odd)).join('/'))}`;
  const res = await client.raw<{ data?: { path?: string; type?: string; options?: { version?: string } | null }; errors?: string[] }>('GET', lookup);
  if (res.status === 403 || res.status === 404) return { path, cache: false };
  if (res.status !== 200) throw new ApiError(res.status, res.body?.errors ?? [], client.requestOf('GET', lookup));
  const data = res.body?.data;
  if (!data?.path || String(data.options?.version ?? '1') !== '2') return { path, cache: true };
  return { path: shimKvV2Path(path, data.path, prefix), cache: true };
}
