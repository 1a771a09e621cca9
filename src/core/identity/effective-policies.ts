/**
 * A token's policies for the ACL: its own plus its entity's identity policies. Runs on every
 * request, so the combined list is remembered per token policy list (the same array object
 * for as long as the token lives in memory) and reused while the entity's identity policies
 * are the same array: one WeakMap lookup, and the ACL cache keyed by the list stays warm.
 * A change to the entity or its groups gives a new identity array and so a new list.
 */
import { permissionDenied } from '../../errors.js';
import type { IdentityStore } from './identity-store.js';

const combined = new WeakMap<readonly string[], { identity: readonly string[]; all: string[] }>();

export function combinePolicies(tokenPolicies: string[], identity: readonly string[]): string[] {
  if (identity.length === 0) return tokenPolicies;
  const hit = combined.get(tokenPolicies);
  if (hit && hit.identity === identity) return hit.all;
  const all = [...new Set([...tokenPolicies, ...identity])].sort();
  combined.set(tokenPolicies, { identity, all });
  return all;
}

/** The policies a request with this token is checked against; 403 when its entity is disabled. */
export function effectivePolicies(identity: IdentityStore | undefined, tokenPolicies: string[], entityId: string): string[] {
  if (entityId === '' || !identity) return tokenPolicies;
  const access = identity.access(entityId);
  if (!access) return tokenPolicies;
  if (access.disabled) throw permissionDenied();
  return combinePolicies(tokenPolicies, access.policies);
}
