/**
 * Pending OIDC logins between `oidc/auth_url` and `oidc/callback`: one random state each,
 * with the nonce sent to the provider, the role, the redirect URI and the client's nonce.
 * In memory only (as Vault), used at most once, gone after STATE_TTL_MS, and capped so the
 * unauthenticated auth_url cannot grow memory without bound.
 */
export interface PendingLogin {
  role: string;
  redirectUri: string;
  nonce: string;
  clientNonce: string;
  expires: number;
}

const STATE_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

export class OidcStates {
  private readonly pending = new Map<string, PendingLogin>();

  /** Records a pending login; false when too many are pending. */
  add(state: string, login: Omit<PendingLogin, 'expires'>, now: number): boolean {
    this.sweep(now);
    if (this.pending.size >= MAX_PENDING) return false;
    this.pending.set(state, { ...login, expires: now + STATE_TTL_MS });
    return true;
  }

  /** The pending login for `state`, removed: a state is good for one callback only. */
  take(state: string, now: number): PendingLogin | undefined {
    const login = this.pending.get(state);
    this.pending.delete(state);
    return login && login.expires > now ? login : undefined;
  }

  forget(): void {
    this.pending.clear();
  }

  private sweep(now: number): void {
    // Map order is insertion order, so expired entries come first.
    for (const [state, login] of this.pending) {
      if (login.expires > now) break;
      this.pending.delete(state);
    }
  }
}
