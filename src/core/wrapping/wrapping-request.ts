/**
 * Which wrapping token a sys/wrapping/{unwrap,lookup,rewrap} request names, and how it is
 * checked and spent. The token comes from the body (or query) `token`, else it is the
 * calling token itself. Like Vault, the named token is checked before the caller's
 * authorization, so an unknown, used or expired wrapping token is always a 400 with one
 * message, never a 403 that would tell those cases apart.
 */
import { invalidRequest } from '../../errors.js';
import type { Request } from '../../logical/request.js';
import type { Core } from '../core.js';
import type { TokenEntry } from '../token/token-entry.js';
import { INVALID_WRAPPING_TOKEN, isWrappingToken } from './wrapping-token.js';

/** Paths that act on a wrapping token named by the request. */
const WRAPPING_TOKEN_PATHS = new Set(['sys/wrapping/unwrap', 'sys/wrapping/lookup', 'sys/wrapping/rewrap']);

/** Synchronous, so that every other request passes the pipeline's check without an await. */
export const namesWrappingToken = (path: string): boolean => WRAPPING_TOKEN_PATHS.has(path);

export interface NamedToken {
  token: string;
  /** True when named in the body by a caller that is not the wrapping token itself. */
  thirdParty: boolean;
}

/** The wrapping token a request names; a 400 when it names none or sends a non-string. */
export function namedWrappingToken(core: Pick<Core, 'tokens'>, req: Request): NamedToken {
  const given = req.data.token;
  if (given !== undefined && given !== null) {
    if (typeof given !== 'string' || given === '') throw invalidRequest('"token" must be a non-empty string');
    // The same token in the header and the body is the wrapping token calling for itself.
    const self = !!req.clientToken && core.tokens.tokensEqual(given, req.clientToken);
    return { token: given, thirdParty: !self };
  }
  if (!req.clientToken) throw invalidRequest('missing wrapping token: send it as "token" or as the X-Vault-Token header');
  return { token: req.clientToken, thirdParty: false };
}

/**
 * Pipeline hook, before authorization: refuses a request on a wrapping path whose named
 * token is not a live wrapping token. `caller` is the entry already looked up for the
 * request's own token.
 */
export async function checkWrappingRequest(core: Pick<Core, 'tokens'>, req: Request, caller: TokenEntry | null): Promise<void> {
  if (!namesWrappingToken(req.path)) return;
  const named = namedWrappingToken(core, req);
  const entry = named.thirdParty ? await core.tokens.lookup(named.token) : caller;
  if (!entry || !isWrappingToken(entry)) throw invalidRequest(INVALID_WRAPPING_TOKEN);
}

/** A live wrapping token's entry, without spending it (lookup). */
export async function peekWrappingToken(core: Pick<Core, 'tokens'>, req: Request): Promise<TokenEntry> {
  const entry = await core.tokens.lookup(namedWrappingToken(core, req).token);
  if (!entry || !isWrappingToken(entry)) throw invalidRequest(INVALID_WRAPPING_TOKEN);
  return entry;
}

export interface ClaimedToken {
  entry: TokenEntry;
  /** Revokes the token once its contents are read (its cubbyhole goes with it). */
  release(): Promise<void>;
}

/**
 * Spends the named wrapping token's single use (unwrap, rewrap). When the wrapping token is
 * the caller, the pipeline has spent it already and revokes it after the handler; named in
 * the body, it is spent here, atomically, so two racing unwraps cannot both succeed, and
 * the caller's own token pays only the one use any request costs.
 */
export async function claimWrappingToken(core: Pick<Core, 'tokens'>, req: Request): Promise<ClaimedToken> {
  const named = namedWrappingToken(core, req);
  if (!named.thirdParty) {
    const entry = await core.tokens.lookup(named.token, { includeUsedUp: true });
    if (!entry || !isWrappingToken(entry)) throw invalidRequest(INVALID_WRAPPING_TOKEN);
    return { entry, release: async () => undefined };
  }
  const entry = await core.tokens.lookup(named.token);
  if (!entry || !isWrappingToken(entry)) throw invalidRequest(INVALID_WRAPPING_TOKEN);
  const spent = await core.tokens.useToken(entry);
  if (!spent) throw invalidRequest(INVALID_WRAPPING_TOKEN);
  return { entry: spent, release: () => core.tokens.revokeTree(spent) };
}
