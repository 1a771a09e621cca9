/** Small helpers shared by the token backend's handlers. */
import { invalidRequest, permissionDenied } from '../../../errors.js';
import type { HandlerContext } from '../../../framework/backend.js';
import type { Request, Response } from '../../../logical/request.js';
import type { TokenEntry } from '../token-entry.js';
import type { TokenStore } from '../token-store.js';

export interface TokenBackendDeps {
  /** When given, creating a token with a policy that does not exist adds a warning. */
  policyExists?(name: string): Promise<boolean>;
  /**
   * Whether the caller holds `sudo` on the request path (core's ACL knows; the backend does
   * not). Without it, only root callers count as privileged for no_parent and period.
   */
  callerHasSudo?(ctx: HandlerContext): Promise<boolean>;
  /** Asks the auth method that issued a login token whether it may be renewed; throws to refuse. */
  checkRenewal?(entry: TokenEntry, req: Request): Promise<void>;
  /** The entity owning the alias (accessor, name), made with a new entity when there is none; 403 when disabled. */
  entityForAlias?(mountAccessor: string, name: string): Promise<string>;
}

/** The calling token's full entry (still returned when this request spends its last use). */
export async function callerEntry(ctx: HandlerContext, store: TokenStore): Promise<TokenEntry> {
  const accessor = ctx.caller?.accessor;
  const entry = accessor ? await store.lookupByAccessor(accessor, { includeUsedUp: true }) : null;
  if (!entry) throw permissionDenied();
  return entry;
}

/** The raw token the client sent; handlers that must echo it (lookup-self, renew-self) read it here. */
export function clientToken(ctx: HandlerContext): string {
  const token = ctx.req.clientToken;
  if (!token) throw permissionDenied();
  return token;
}

export const isRootCaller = (ctx: HandlerContext, entry: TokenEntry): boolean =>
  ctx.caller?.isRoot === true || entry.policies.includes('root');

export async function isPrivileged(ctx: HandlerContext, entry: TokenEntry, deps: TokenBackendDeps): Promise<boolean> {
  if (isRootCaller(ctx, entry)) return true;
  return deps.callerHasSudo ? deps.callerHasSudo(ctx) : false;
}

/**
 * The entry for a token named in the request. The caller's own token (a token spending its
 * last use on this very request still counts) is found by its accessor, which core already
 * resolved: no second hash. Comparing the two strings directly leaks nothing, since both
 * came from the same client.
 */
export async function entryForToken(ctx: HandlerContext, store: TokenStore, token: string): Promise<TokenEntry | null> {
  if (ctx.caller && token === ctx.req.clientToken) return store.lookupByAccessor(ctx.caller.accessor, { includeUsedUp: true });
  return store.lookup(token);
}

export function requireString(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '') throw invalidRequest(`missing ${name}`);
  return value.trim();
}

/** The token mount's routed path (`auth/token/`), for creation paths. */
export const mountPath = (ctx: HandlerContext): string => {
  const p = ctx.mount?.path || 'auth/token/';
  return p.endsWith('/') ? p : `${p}/`;
};

export const withWarnings = (response: Response, warnings: string[]): Response =>
  warnings.length > 0 ? { ...response, warnings: [...(response.warnings ?? []), ...warnings] } : response;

/** A LIST answer; null (404, as in Vault) when there is nothing to list. */
export const listResponse = (keys: string[]): Response | null => (keys.length === 0 ? null : { data: { keys } });
