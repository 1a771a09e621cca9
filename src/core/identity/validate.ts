/** Input checks the identity paths share: policy lists, names, mount accessors. */
import { randomUUID } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import type { IdentityStore } from './identity-store.js';
import type { MountRef } from './types.js';

export const newId = (): string => randomUUID();

/** A generated name: `entity_1a2b3c4d`, `group_…`. */
export const generatedName = (kind: 'entity' | 'group'): string => `${kind}_${randomUUID().slice(0, 8)}`;

/** Trimmed, lower-cased, deduplicated; `root` is refused as in Vault. */
export function normalizePolicyList(policies: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of policies) {
    const name = p.trim().toLowerCase();
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  if (out.includes('root')) throw invalidRequest('policies cannot contain root');
  return out;
}

const MAX_NAME = 512;

/**
 * A name as given, trimmed; refuses control characters and overlong names. Entity and group
 * names are path segments (`entity/name/:name`), so they may not hold "/"; alias names may
 * (a Kubernetes `namespace/name`, a `/org/team` groups claim entry).
 */
export function checkName(name: string, what: string, allowSlash = false): string {
  const n = name.trim();
  if (n === '') throw invalidRequest(`missing ${what}`);
  if (n.length > MAX_NAME) throw invalidRequest(`${what} is longer than ${MAX_NAME} characters`);
  if (/[\u0000-\u001f\u007f]/.test(n)) throw invalidRequest(`${what} may not contain control characters`);
  if (!allowSlash && n.includes('/')) throw invalidRequest(`${what} may not contain "/"`);
  return n;
}

/** The mount a mount_accessor names; 400 when there is none. */
export function requireMount(store: IdentityStore, accessor: string | undefined): MountRef & { accessor: string } {
  const a = (accessor ?? '').trim();
  if (a === '') throw invalidRequest('missing mount_accessor');
  const mount = store.mount(a);
  if (!mount) throw invalidRequest(`invalid mount accessor "${a.slice(0, 64)}"`);
  return { ...mount, accessor: a };
}

/** Ids in a list, deduplicated, each of which must exist. */
export function existingIds(ids: readonly string[], exists: (id: string) => boolean, what: string): string[] {
  const out: string[] = [];
  for (const raw of ids) {
    const id = raw.trim();
    if (id === '' || out.includes(id)) continue;
    if (!exists(id)) throw invalidRequest(`${what} "${id.slice(0, 64)}" does not exist`);
    out.push(id);
  }
  return out;
}

/** Two string maps with the same keys and values. */
export function sameStringMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}
