/**
 * Pending OIDC logins, between `oidc/auth_url` and `oidc/callback`, travel with the browser
 * instead of waiting in this server.
 *
 * Why: auth_url needs no token. While each pending login was kept here, anyone could claim
 * that memory: large fields grew the heap without bound, and the cap on their number made
 * one shared pool that 10,000 anonymous calls filled for ten minutes, refusing every login.
 *
 * So the OAuth `state` is the pending login itself, sealed with AES-256-GCM: an id, the
 * expiry, the role, and digests of the redirect URI and of the client nonce (fixed sizes,
 * whatever the caller sent). Nothing is kept until a callback succeeds. The OIDC `nonce` is
 * an HMAC of the id, so the provider's ID token is still bound to this very login.
 *
 * The keys are this mount's, made in memory when its backend is built (on every unseal) and
 * zeroed on seal or unmount; never stored. A state from another mount, from before a restart
 * or a seal, or from another node does not open: a login in flight then starts again, as it
 * does in Vault, whose pending logins live in memory too. In exchange no key sits in storage,
 * and the record of spent states, also in memory, never has to outlive the key.
 *
 * Replay: a state that logged someone in is remembered as spent until it expires. Only states
 * that passed every check of the callback (a code the provider exchanged for an ID token it
 * signed with this login's nonce, then the role's bounds) are remembered, so filling that
 * record takes real logins at the provider, not anonymous calls. It is still capped
 * (MAX_SPENT_BYTES); when full it refuses logins rather than forget a state early.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_TTL_MS = 10 * 60_000;

/** Longest accepted values, in characters (each is named in the 400 that refuses more). */
export const MAX_CLIENT_NONCE = 512;
export const MAX_REDIRECT_URI = 2048;
/** Our states are under 400 characters: role names have at most 128, the rest is fixed. */
export const MAX_STATE = 1024;

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ID_BYTES = 16;
/** A spent state as the budget counts it: its id (hex) and its expiry. */
export const SPENT_ENTRY_BYTES = 2 * ID_BYTES + 8;
/** About 100,000 logins in ten minutes; some 9 MB of heap, as a Map holds them (measured). */
export const MAX_SPENT_BYTES = 4 * 1024 * 1024;

export interface PendingLogin {
  id: string;
  role: string;
  expires: number;
  /** The nonce the ID token must carry. */
  nonce: string;
  redirectDigest: Buffer;
  clientNonceDigest: Buffer;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether `value` is the one `expected` is the digest of (constant time). */
export const matchesDigest = (expected: Buffer, value: string) => {
  const actual = digest(value);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
};

export class OidcStates {
  private keys?: { seal: Buffer; nonce: Buffer };
  /** Spent state ids and their expiries, in the order they were spent. */
  private readonly spent = new Map<string, number>();

  /** The `state` to send through the browser, and the `nonce` for the provider. */
  issue(login: { role: string; redirectUri: string; clientNonce: string }, now: number): { state: string; nonce: string } {
    const keys = (this.keys ??= { seal: randomBytes(32), nonce: randomBytes(32) });
    const id = randomBytes(ID_BYTES).toString('hex');
    const body = { i: id, e: now + STATE_TTL_MS, r: login.role, u: digest(login.redirectUri).toString('base64'), c: digest(login.clientNonce).toString('base64') };
    // Straight from node:crypto, never an injected source: a repeated GCM nonce would give the key away.
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.seal, iv);
    cipher.setAAD(Buffer.from([VERSION]));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(body), 'utf8'), cipher.final()]);
    const state = Buffer.concat([Buffer.from([VERSION]), iv, sealed, cipher.getAuthTag()]).toString('base64url');
    return { state, nonce: this.nonceOf(keys.nonce, id) };
  }

  /** The login `state` stands for; undefined when it is not one of ours, altered, expired or spent. */
  open(state: string, now: number): PendingLogin | undefined {
    const keys = this.keys;
    if (!keys || state.length > MAX_STATE) return undefined;
    const raw = Buffer.from(state, 'base64url');
    if (raw.length <= 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) return undefined;
    let body: Record<string, unknown>;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.seal, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(raw.subarray(0, 1));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const { i: id, e: expires, r: role, u, c } = body;
    if (typeof id !== 'string' || typeof expires !== 'number' || typeof role !== 'string' || typeof u !== 'string' || typeof c !== 'string') return undefined;
    if (expires <= now || this.isSpent(id, now)) return undefined;
    return { id, role, expires, nonce: this.nonceOf(keys.nonce, id), redirectDigest: Buffer.from(u, 'base64'), clientNonceDigest: Buffer.from(c, 'base64') };
  }

  /** Records a login as done: 'replayed' if it already was, 'full' if the record has no room. */
  spend(login: PendingLogin, now: number): 'spent' | 'replayed' | 'full' {
    if (this.isSpent(login.id, now)) return 'replayed';
    this.sweep(now, false);
    if (this.spentBytes + SPENT_ENTRY_BYTES > MAX_SPENT_BYTES) this.sweep(now, true);
    if (this.spentBytes + SPENT_ENTRY_BYTES > MAX_SPENT_BYTES) return 'full';
    this.spent.set(login.id, login.expires);
    return 'spent';
  }

  /** What the record of spent states holds, as its budget counts it. */
  get spentBytes(): number {
    return this.spent.size * SPENT_ENTRY_BYTES;
  }

  forget(): void {
    this.keys?.seal.fill(0);
    this.keys?.nonce.fill(0);
    this.keys = undefined;
    this.spent.clear();
  }

  private nonceOf(key: Buffer, id: string): string {
    return createHmac('sha256', key).update(id).digest('hex').slice(0, 40);
  }

  private isSpent(id: string, now: number): boolean {
    const expires = this.spent.get(id);
    return expires !== undefined && expires > now;
  }

  /**
   * Drops expired entries. States are spent in a different order than they were issued, so
   * the oldest spent is not always the first to expire: the cheap sweep stops at the first
   * live entry, the full one (only when the record looks full) reads them all.
   */
  private sweep(now: number, full: boolean): void {
    for (const [id, expires] of this.spent) {
      if (expires <= now) this.spent.delete(id);
      else if (!full) break;
    }
  }
}
