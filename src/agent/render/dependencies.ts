/**
 * The secrets templates depend on, fetched once and shared by every template that names
 * the same call. Each dependency knows when it goes stale: a renewable lease is renewed at
 * about 2/3 of its duration and fetched anew when renewal fails or the lease nears its
 * max TTL; a non-renewable lease or a certificate is fetched anew at ~90% of its life;
 * static secrets are fetched anew when an event or the polling interval says so. A
 * dependency whose value changed tells its templates to render again.
 */
import type { ApiClient, VaultResponse } from '../../api/client.js';
import { createLogical } from '../../api/logical.js';
import type { Logger } from '../../logging/logger.js';
import { toTemplateSecret } from './secret-shape.js';
import { apiPathFor } from './kv-path.js';
import { withRetries } from './retry.js';
import { reusableCertificate, certificateLifetime, type PkiData } from './pki-cert.js';

export type DependencyKind = 'read' | 'write' | 'list' | 'pki';

export interface Dependency {
  key: string;
  kind: DependencyKind;
  /** Without leading or trailing slashes, mount first, as the template named it. */
  path: string;
  /** The path requested: `path` with `data/` or `metadata/` added on a kv-v2 mount. */
  apiPath?: string;
  args: Record<string, string>;
  /** pkiCert: the file a previously issued certificate is read back from. */
  destination?: string;
  value?: unknown;
  inflight?: Promise<unknown>;
  timer?: NodeJS.Timeout;
  consumers: Set<string>;
  /** Static dependencies are refreshed by events and polling; leased ones by their own timers. */
  static: boolean;
}

export interface DependencyStoreOptions {
  client: () => ApiClient;
  logger: Logger;
  /** The dependency's value changed: its consumers render again. */
  onChanged: (dep: Dependency) => void;
  /** A background refresh failed after its retries. */
  onRefreshError: (dep: Dependency, err: Error) => void;
}

const normalize = (p: string) => p.replace(/^\/+|\/+$/g, '');
const comparable = (v: unknown) => JSON.stringify(v, (k, x) => (k === 'RequestID' ? undefined : x));

export function createDependencyStore(o: DependencyStoreOptions) {
  const deps = new Map<string, Dependency>();
  let stopped = false;
  const abort = new AbortController();

  function schedule(dep: Dependency, ms: number, what: () => Promise<void>) {
    clearTimeout(dep.timer);
    if (stopped) return;
    dep.timer = setTimeout(() => void what().catch((e: Error) => o.onRefreshError(dep, e)), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    dep.timer.unref?.();
  }

  /** The dependency's API path; kept only once the server has described its mount. */
  async function resolvePath(client: ApiClient, dep: Dependency, prefix: 'data' | 'metadata', path: string): Promise<string> {
    if (dep.apiPath !== undefined) return dep.apiPath;
    const r = await apiPathFor(client, path, prefix);
    if (r.cache) dep.apiPath = r.path;
    return r.path;
  }

  async function fetchValue(dep: Dependency): Promise<unknown> {
    const client = o.client();
    const logical = createLogical(client);
    const call = async (): Promise<unknown> => {
      switch (dep.kind) {
        case 'read': {
          // As consul-template parses it: `secret "secret/app?version=2"` reads version 2.
          const q = dep.path.indexOf('?');
          const query = q < 0 ? undefined : Object.fromEntries(new URLSearchParams(dep.path.slice(q + 1)));
          const apiPath = await resolvePath(client, dep, 'data', q < 0 ? dep.path : dep.path.slice(0, q));
          const res = await logical.read(apiPath, query);
          if (!res) throw new Error(`no secret exists at ${apiPath}`);
          return toTemplateSecret(res);
        }
        case 'write':
          return toTemplateSecret((await logical.write(dep.path, dep.args)) ?? emptyResponse());
        case 'list': {
          const res = await logical.list(await resolvePath(client, dep, 'metadata', dep.path));
          const keys = (res?.data?.keys as string[] | undefined) ?? [];
          return [...keys].sort();
        }
        case 'pki': {
          const kept = dep.value === undefined && dep.destination ? await reusableCertificate(dep.destination) : undefined;
          if (kept) return { Data: kept };
          const res = await logical.write(dep.path, dep.args);
          const d = (res?.data ?? {}) as Record<string, unknown>;
          const data: PkiData = {
            Cert: String(d.certificate ?? ''),
            Key: String(d.private_key ?? ''),
            CA: String(d.issuing_ca ?? ''),
            CAChain: (d.ca_chain as string[] | undefined) ?? [],
          };
          return { Data: data };
        }
      }
    };
    return withRetries(call, { signal: abort.signal, logger: o.logger, label: `${dep.kind} ${dep.path}` });
  }

  /** Sets the timers that keep a fresh value: lease renewal, re-issue near expiry. */
  function planRefresh(dep: Dependency) {
    const v = dep.value as { LeaseID?: string; LeaseDuration?: number; Renewable?: boolean; Data?: Record<string, unknown> } | undefined;
    if (!v || Array.isArray(v)) return;
    if (dep.kind === 'pki') {
      const life = certificateLifetime((v.Data as PkiData | undefined)?.Cert ?? '');
      if (life) schedule(dep, life.notBefore + (life.notAfter - life.notBefore) * 0.9 - Date.now(), () => refetch(dep));
      dep.static = false;
      return;
    }
    if (v.LeaseID && (v.LeaseDuration ?? 0) > 0) {
      dep.static = false;
      const ttlMs = v.LeaseDuration! * 1000;
      if (v.Renewable) schedule(dep, (ttlMs * 2) / 3, () => renew(dep, v.LeaseID!, v.LeaseDuration!));
      else schedule(dep, ttlMs * 0.9, () => refetch(dep));
      return;
    }
    const expiration = v.Data?.expiration;
    if (typeof expiration === 'number' && dep.kind === 'write') {
      dep.static = false;
      schedule(dep, (expiration * 1000 - Date.now()) * 0.9, () => refetch(dep));
      return;
    }
    dep.static = dep.kind === 'read' || dep.kind === 'list';
  }

  async function renew(dep: Dependency, leaseId: string, increment: number) {
    let ttl: number;
    try {
      const res = await withRetries(() => o.client().write('sys/leases/renew', { lease_id: leaseId, increment }), { signal: abort.signal, logger: o.logger, label: 'lease renewal' });
      ttl = (res as VaultResponse | null)?.lease_duration ?? 0;
    } catch (e) {
      o.logger.warn('lease renewal failed; fetching a new secret', { path: dep.path, error: (e as Error).message });
      return refetch(dep);
    }
    o.logger.debug('lease renewed', { path: dep.path, ttl });
    if (ttl < increment) {
      // The lease reached its max TTL: renewals no longer extend it, so fetch a new secret
      // with a third of the remaining time to spare.
      schedule(dep, (ttl * 1000 * 2) / 3, () => refetch(dep));
    } else schedule(dep, (ttl * 1000 * 2) / 3, () => renew(dep, leaseId, increment));
  }

  /** Fetches again; tells the consumers when the value changed. */
  async function refetch(dep: Dependency): Promise<void> {
    if (stopped || !deps.has(dep.key)) return;
    if (dep.inflight) {
      await dep.inflight;
      return;
    }
    const before = dep.value;
    const p = fetchValue(dep);
    dep.inflight = p;
    try {
      dep.value = await p;
    } finally {
      dep.inflight = undefined;
    }
    planRefresh(dep);
    if (comparable(before) !== comparable(dep.value)) o.onChanged(dep);
  }

  return {
    /** The value for a template's call, fetching it the first time. */
    async get(kind: DependencyKind, path: string, args: Record<string, string>, consumer: string, destination?: string): Promise<unknown> {
      const p = normalize(path);
      const key = `${kind} ${p} ${JSON.stringify(Object.entries(args).sort())}${kind === 'pki' ? ` ${destination ?? ''}` : ''}`;
      let dep = deps.get(key);
      if (!dep) {
        dep = { key, kind, path: p, args, destination, consumers: new Set(), static: kind === 'read' || kind === 'list' };
        deps.set(key, dep);
      }
      dep.consumers.add(consumer);
      if (dep.value !== undefined) return dep.value;
      if (!dep.inflight) {
        const d = dep;
        d.inflight = fetchValue(d).finally(() => (d.inflight = undefined));
        d.value = await d.inflight;
        planRefresh(d);
        return d.value;
      }
      await dep.inflight;
      return dep.value;
    },
    /** Keys a consumer used in its last render; it stops depending on the others. */
    release(consumer: string, used: Set<string>) {
      for (const dep of deps.values()) {
        if (!dep.consumers.has(consumer) || used.has(dep.key)) continue;
        dep.consumers.delete(consumer);
        if (dep.consumers.size === 0) {
          clearTimeout(dep.timer);
          deps.delete(dep.key);
        }
      }
    },
    keyOf(kind: DependencyKind, path: string, args: Record<string, string>, destination?: string) {
      return `${kind} ${normalize(path)} ${JSON.stringify(Object.entries(args).sort())}${kind === 'pki' ? ` ${destination ?? ''}` : ''}`;
    },
    /** Paths an event named changed: static reads of those paths, and lists above them, are fetched again. */
    async pathsChanged(paths: string[]) {
      const targets = new Set(paths.map(normalize));
      const hits = [...deps.values()].filter((d) => {
        if (!d.static) return false;
        const p = d.apiPath ?? d.path;
        if (d.kind === 'read') return targets.has(p);
        const listed = p.replace('/metadata', '/data');
        return [...targets].some((t) => t.startsWith(p + '/') || t.startsWith(listed + '/'));
      });
      await Promise.all(hits.map((d) => refetch(d).catch((e: Error) => o.onRefreshError(d, e))));
    },
    /** Polling: every static dependency fetched again. */
    async refreshStatic() {
      const hits = [...deps.values()].filter((d) => d.static);
      await Promise.all(hits.map((d) => refetch(d).catch((e: Error) => o.onRefreshError(d, e))));
    },
    stop() {
      stopped = true;
      abort.abort();
      for (const dep of deps.values()) clearTimeout(dep.timer);
    },
  };
}

export type DependencyStore = ReturnType<typeof createDependencyStore>;

function emptyResponse(): VaultResponse {
  return { request_id: '', lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings: null, auth: null };
}
