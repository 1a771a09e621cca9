/** What every transit path file shares: the mount's key store and the handler context. */
import type { HandlerContext } from '../../../framework/backend.js';
import type { KeyStore } from '../key-store.js';

export type Ctx<F> = HandlerContext<F>;

/** Existence check of paths that name a key: create vs update, for ACLs. */
export function keyExists(store: KeyStore) {
  return (ctx: Ctx<{ name: string }>): Promise<boolean> | boolean => {
    const key = store.get(ctx.storage, ctx.fields.name);
    return key instanceof Promise ? key.then((found) => found !== null) : true;
  };
}
