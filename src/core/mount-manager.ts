/**
 * Enabling, disabling, tuning and moving mounts of both tables, and turning entries into
 * routes with their own storage view. A mount sees `logical/<uuid>/` or `auth/<uuid>/` and
 * nothing else.
 */
import { randomBytes as randomBytesOf } from 'node:crypto';
import { invalidRequest } from '../errors.js';
import type { Backend, MountInfo } from '../framework/backend.js';
import { clearPrefix, storageView } from '../logical/storage.js';
import type { Core } from './core.js';
import { forgetMountAliases } from './identity/mount-aliases.js';
import { lockoutSettings, parseUserLockoutConfig } from './lockout/lockout-settings.js';
import {
  loadMountTable,
  newMountEntry,
  normalizeMountPath,
  saveMountTable,
  type MountEntry,
  type MountEntryConfig,
  type MountTableName,
} from './mount-table.js';
import type { Route } from './router.js';

/** Mounts that exist in every Vault and cannot be disabled or moved. */
const SINGLETON_TYPES = new Set(['system', 'cubbyhole', 'token', 'identity']);
/** Path prefixes that no user mount may take. */
const PROTECTED_PREFIXES = ['sys/', 'auth/', 'cubbyhole/', 'identity/', 'audit/'];

export function routedPathOf(entry: MountEntry): string {
  return entry.table === 'auth' ? `auth/${entry.path}` : entry.path;
}

export class MountManager {
  private entries: MountEntry[] = [];

  constructor(private readonly core: Core) {}

  list(table: MountTableName): MountEntry[] {
    return this.entries.filter((e) => e.table === table).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  find(table: MountTableName, path: string): MountEntry | undefined {
    return this.entries.find((e) => e.table === table && e.path === path);
  }

  clear(): void {
    this.entries = [];
  }

  async load(): Promise<void> {
    const storage = this.core.barrier;
    let mounts = await loadMountTable(storage, 'mounts');
    let auth = await loadMountTable(storage, 'auth');
    if (!mounts) {
      mounts = [
        newMountEntry('mounts', 'cubbyhole/', 'cubbyhole', { description: 'per-token private secret storage' }),
        identityMount(),
        newMountEntry('mounts', 'sys/', 'system', { description: 'system endpoints used for control, policy and debugging' }),
      ];
      for (const extra of this.core.options.extraDefaultMounts ?? []) {
        if (!this.factoryFor('mounts', extra.type)) continue;
        mounts.push(newMountEntry('mounts', normalizeMountPath(extra.path), extra.type, { description: extra.description, options: extra.options }));
      }
      await saveMountTable(storage, 'mounts', mounts);
    } else if (!mounts.some((e) => e.type === 'identity')) {
      // A store written before identity existed gets its identity/ mount, once.
      mounts = [...mounts, identityMount()];
      await saveMountTable(storage, 'mounts', mounts);
    }
    if (!auth) {
      auth = [newMountEntry('auth', 'token/', 'token', { description: 'token based credentials' })];
      await saveMountTable(storage, 'auth', auth);
    }
    this.entries = [...mounts, ...auth];
    this.core.router.clear();
    for (const entry of this.entries) {
      const backend = this.backendFor(entry.table, entry.type, entry.options);
      if (!backend) {
        this.core.logger.warn('mount of unknown type left unrouted', { path: entry.path, type: entry.type });
        continue;
      }
      this.core.router.add(this.routeFor(entry, backend));
    }
  }

  async enable(
    table: MountTableName,
    rawPath: string,
    spec: { type: string; description?: string; config?: Partial<MountEntryConfig>; options?: Record<string, string>; local?: boolean; seal_wrap?: boolean; external_entropy_access?: boolean },
  ): Promise<MountEntry> {
    const path = normalizeMountPath(rawPath);
    if (SINGLETON_TYPES.has(spec.type)) throw invalidRequest(`mount type "${spec.type}" cannot be enabled again: it exists once, by default`);
    if (!this.factoryFor(table, spec.type)) {
      throw invalidRequest(`unknown ${table === 'auth' ? 'auth method' : 'secrets engine'} type "${spec.type}"`);
    }
    const requested = spec.options ?? {};
    const probe = this.backendFor(table, spec.type, requested)!;
    const options = probe.mountOptions ? probe.mountOptions(requested) : requested;
    const entry = newMountEntry(table, path, spec.type, { ...spec, options });
    // The backend's table may depend on its options: build it again only if checking changed them.
    const backend = options === requested ? probe : this.backendFor(table, spec.type, options)!;
    const routed = routedPathOf(entry);
    if (table === 'mounts' && PROTECTED_PREFIXES.some((p) => routed.startsWith(p))) {
      throw invalidRequest(`cannot mount under the reserved path "${routed}"`);
    }
    const conflict = this.core.router.conflicting(routed);
    if (conflict) throw invalidRequest(`path is already in use at ${conflict.routedPath}`);
    const next = [...this.entries, entry];
    await saveMountTable(this.core.barrier, table, next);
    this.entries = next;
    const route = this.routeFor(entry, backend);
    this.core.router.add(route);
    this.initializeRoute(route);
    return entry;
  }

  /** Starts a backend's initialize hook in the background; its failure is logged, never thrown. */
  initializeRoute(route: Route): void {
    const init = route.backend.initialize;
    if (!init) return;
    void init(route.base).catch((err: unknown) => {
      this.core.logger.warn('backend initialization failed', { mount: route.routedPath, error: err instanceof Error ? err.message : String(err) });
    });
  }

  async disable(table: MountTableName, rawPath: string): Promise<void> {
    const path = normalizeMountPath(rawPath);
    const entry = this.find(table, path);
    if (!entry) return; // Vault answers 204 for a path that is not mounted.
    if (SINGLETON_TYPES.has(entry.type)) throw invalidRequest(`cannot unmount "${path}": ${entry.type} mounts are built in`);
    // Vault's order: every lease the mount issued (or token it logged in) is revoked first;
    // a revocation that fails leaves the mount in place, to be retried or revoke-forced.
    await this.core.expiration.revokePrefixWithTokens(routedPathOf(entry));
    const route = this.core.router.get(routedPathOf(entry));
    if (route?.backend.cleanup) await route.backend.cleanup(route.base);
    this.core.router.remove(routedPathOf(entry));
    route?.backend.forget?.();
    const next = this.entries.filter((e) => e !== entry);
    await saveMountTable(this.core.barrier, table, next);
    this.entries = next;
    if (route) await clearPrefix(this.core.barrier, storagePrefixOf(entry));
    if (table === 'auth') {
      await this.core.lockout.forgetMount(entry.accessor);
      // As in Vault, the aliases of a disabled auth mount go with it.
      await forgetMountAliases(this.core.identity, entry.accessor);
    }
  }

  async tune(
    table: MountTableName,
    rawPath: string,
    change: { config?: Partial<MountEntryConfig>; description?: string; options?: Record<string, string>; userLockout?: unknown },
  ): Promise<MountEntry> {
    const entry = this.require(table, rawPath);
    const config = { ...entry.config, ...change.config };
    if (change.userLockout !== undefined) {
      if (!this.core.router.get(routedPathOf(entry))?.backend.userLockout) {
        throw invalidRequest(`user_lockout_config is not supported by ${table === 'auth' ? `the ${entry.type} auth method` : 'secrets engines'}`);
      }
      config.user_lockout_config = parseUserLockoutConfig(change.userLockout, entry.config.user_lockout_config);
    }
    const max = config.max_lease_ttl || this.core.system.maxLeaseTtl;
    if (config.default_lease_ttl > max) throw invalidRequest('default_lease_ttl cannot be greater than max_lease_ttl');
    let options = change.options ? { ...entry.options, ...change.options } : entry.options;
    const backend = this.core.router.get(routedPathOf(entry))?.backend;
    if (change.options && backend?.mountOptions) options = backend.mountOptions(options, entry.options);
    const updated: MountEntry = { ...entry, config, description: change.description ?? entry.description, options };
    await this.replace(entry, updated);
    return updated;
  }

  async remount(from: string, to: string): Promise<MountEntry> {
    const [fromTable, fromPath] = splitTable(from);
    const [toTable, toPath] = splitTable(to);
    if (fromTable !== toTable) throw invalidRequest('cannot move a mount between secrets engines and auth methods');
    const entry = this.require(fromTable, fromPath);
    if (SINGLETON_TYPES.has(entry.type)) throw invalidRequest(`cannot move "${entry.path}": ${entry.type} mounts are built in`);
    const moved: MountEntry = { ...entry, path: normalizeMountPath(toPath) };
    const routed = routedPathOf(moved);
    if (fromTable === 'mounts' && PROTECTED_PREFIXES.some((p) => routed.startsWith(p))) {
      throw invalidRequest(`cannot mount under the reserved path "${routed}"`);
    }
    const conflict = this.core.router.conflicting(routed);
    if (conflict && conflict.entry !== entry) throw invalidRequest(`path is already in use at ${conflict.routedPath}`);
    // Lease ids name the old path: as Vault does, they are revoked rather than renamed.
    await this.core.expiration.revokePrefixWithTokens(routedPathOf(entry));
    // Storage is keyed by the mount's uuid, so moving a mount moves no data.
    await this.replace(entry, moved);
    return moved;
  }

  require(table: MountTableName, rawPath: string): MountEntry {
    const path = normalizeMountPath(rawPath);
    const entry = this.find(table, path);
    if (!entry) throw invalidRequest(`no ${table === 'auth' ? 'auth method' : 'secrets engine'} is mounted at "${path}"`);
    return entry;
  }

  private async replace(old: MountEntry, updated: MountEntry): Promise<void> {
    const next = this.entries.map((e) => (e === old ? updated : e));
    await saveMountTable(this.core.barrier, old.table, next);
    this.entries = next;
    const route = this.core.router.get(routedPathOf(old));
    this.core.router.remove(routedPathOf(old));
    const backend = route?.backend ?? this.backendFor(updated.table, updated.type, updated.options);
    if (backend) this.core.router.add(this.routeFor(updated, backend));
  }

  private factoryFor(table: MountTableName, type: string) {
    return table === 'auth' ? this.core.registry.auth[type] : this.core.registry.secrets[type];
  }

  private backendFor(table: MountTableName, type: string, options: Record<string, string>): Backend | undefined {
    return this.core.builtinBackend(type) ?? this.factoryFor(table, type)?.({ options });
  }

  private routeFor(entry: MountEntry, backend: Backend): Route {
    const routedPath = routedPathOf(entry);
    const info: MountInfo = {
      path: routedPath,
      type: entry.type,
      uuid: entry.uuid,
      accessor: entry.accessor,
      description: entry.description,
      config: entry.config,
      options: entry.options,
      local: entry.local,
      sealWrap: entry.seal_wrap,
    };
    const storage = storageView(this.core.barrier, storagePrefixOf(entry));
    const base = {
      storage,
      logger: this.core.logger.named(routedPath),
      mount: info,
      system: this.effectiveTtls(entry),
      clock: this.core.clock,
      random: randomBytesOf,
      lockout: backend.userLockout ? this.core.lockout.forMount(entry.accessor, lockoutSettings(entry.config.user_lockout_config)) : undefined,
      // Looked up at call time: the store is replaced on every unseal.
      passwords: { generate: (policy?: string) => this.core.passwordPolicies.generate(policy) },
      events: this.core.events.senderFor(entry.table === 'auth' ? 'auth' : 'secret', info),
      identity: { entity: (id: string) => this.core.identity.entity(id) },
    };
    return { routedPath, entry, backend, info, storage, base };
  }

  effectiveTtls(entry: MountEntry): { defaultLeaseTtl: number; maxLeaseTtl: number } {
    const maxLeaseTtl = entry.config.max_lease_ttl || this.core.system.maxLeaseTtl;
    const defaultLeaseTtl = Math.min(entry.config.default_lease_ttl || this.core.system.defaultLeaseTtl, maxLeaseTtl);
    return { defaultLeaseTtl, maxLeaseTtl };
  }
}

function identityMount(): MountEntry {
  return newMountEntry('mounts', 'identity/', 'identity', { description: 'identity store' });
}

function storagePrefixOf(entry: MountEntry): string {
  if (entry.type === 'system') return 'sys/';
  return entry.table === 'auth' ? `auth/${entry.uuid}/` : `logical/${entry.uuid}/`;
}

function splitTable(path: string): [MountTableName, string] {
  const p = path.replace(/^\/+/, '');
  return p.startsWith('auth/') ? ['auth', p.slice(5)] : ['mounts', p];
}
