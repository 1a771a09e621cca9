/**
 * consul-template's KV v2 shim: a template may name a kv-v2 secret without `data/`
 * (`secret "secret/app"`), and `secrets` may list one without `metadata/`. The mount is
 * looked up once through `sys/internal/ui/mounts/<path>`; paths that already carry
 * `data/` or `metadata/` after the mount, and paths on other engines, are left alone.
 */
import type { ApiClient } from '../../api/client.js';

export function shimKvV2Path(path: string, mountPath: string, prefix: 'data' | 'metadata'): string {
  const mount = mountPath.replace(/\/+$/, '');
  if (path === mount) return `${mount}/${prefix}`;
  if (!path.startsWith(mount + '/')) return path;
  const rest = path.slice(mount.length + 1);
  if (rest.startsWith('data/') || rest.startsWith('metadata/') || rest === 'data' || rest === 'metadata') return path;
  return `${mount}/${prefix}/${rest}`;
}

/** The API path for a read (`data`) or list (`metadata`); the path as given when the mount is not kv-v2 or cannot be looked up. */
export async function apiPathFor(client: ApiClient, path: string, prefix: 'data' | 'metadata'): Promise<string> {
  let res;
  try {
    res = await client.raw<{ data?: { path?: string; type?: string; options?: { version?: string } | null } }>('GET', `sys/internal/ui/mounts/${path}`);
  } catch {
    return path;
  }
  const data = res.status === 200 ? res.body?.data : undefined;
  if (!data?.path || String(data.options?.version ?? '1') !== '2') return path;
  return shimKvV2Path(path, data.path, prefix);
}
