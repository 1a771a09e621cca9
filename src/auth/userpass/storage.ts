/**
 * Userpass users, one entry each at `user/<name>` in the mount's view. Names are normalized
 * (trimmed, lower-cased) everywhere — CRUD, login, lockout — so `Alice`, ` alice` and `alice`
 * are one user, as in Vault, and case or spaces cannot dodge a lockout.
 */
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TokenParams } from '../shared/token-params.js';

export interface UserEntry {
  name: string;
  /** password-hash.ts format; never the password. */
  passwordHash: string;
  token: TokenParams;
  /**
   * The deprecated field names this user was written with (policies, ttl, max_ttl,
   * bound_cidrs): Vault echoes those in reads, and old clients look for them.
   */
  legacy?: { policies?: boolean; ttl?: boolean; maxTtl?: boolean; boundCidrs?: boolean };
}

export const USER_PREFIX = 'user/';

const NAME = /^[a-z0-9_](?:[a-z0-9_.@-]{0,254}[a-z0-9_])?$/;

export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export const isValidUsername = (name: string): boolean => NAME.test(name);

/** The normalized name, or a 400 explaining what a username may be. */
export function requireUsername(raw: string): string {
  const name = normalizeUsername(raw);
  if (name === '') throw invalidRequest('missing username');
  if (!isValidUsername(name)) {
    throw invalidRequest(
      'invalid username: use up to 256 letters, digits, "_", "-", "." and "@", starting and ending with a letter, digit or "_"',
    );
  }
  return name;
}

export const getUser = (storage: Storage, name: string) => getJson<UserEntry>(storage, USER_PREFIX + name);
export const putUser = (storage: Storage, user: UserEntry) => putJson(storage, USER_PREFIX + user.name, user);
export const deleteUser = (storage: Storage, name: string) => storage.delete(USER_PREFIX + name);
