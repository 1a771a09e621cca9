/** What every transit path file shares: the mount's key store and the handler context. */
import { invalidRequest } from '../../../errors.js';
import type { HandlerContext } from '../../../framework/backend.js';
import type { KeyStore } from '../key-store.js';
import type { TransitKey } from '../transit-key.js';

export type Ctx<F> = HandlerContext<F>;

/** The key named by the request, or a 400 with `missing` (Vault's wording differs per path). */
export async function requireKey(store: KeyStore, ctx: Ctx<{ name: string }>, missing: string): Promise<TransitKey> {
  const key = await store.get(ctx.storage, ctx.fields.name);
  if (!key) throw invalidRequest(`${missing}: no key named "${ctx.fields.name}"`);
  return key;
}

/** Existence check of paths that name a key: create vs update, for ACLs. */
export function keyExists(store: KeyStore) {
  return async (ctx: Ctx<{ name: string }>): Promise<boolean> =>
    store.cached(ctx.fields.name) !== undefined || (await store.get(ctx.storage, ctx.fields.name)) !== null;
}
