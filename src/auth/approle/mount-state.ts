/**
 * What one AppRole mount keeps in memory between requests: its HMAC salt and the roles
 * logins look up by role id, so a login decrypts only its secret id from storage. Roles are
 * cached after being read and dropped whenever any role changes (role writes are rare and
 * all go through this mount's handlers, which call `rolesChanged`). `forget` runs when the
 * server seals: the salt is zeroed and nothing read from storage stays.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '../../logical/storage.js';
import { KeyLock } from '../../framework/key-lock.js';
import { getRole, hmacOf, roleIdKey, type RoleEntry } from './storage.js';

/** Most roles cached; past it the cache starts over (a mount with more roles reads storage). */
const MAX_CACHED_ROLES = 10_000;

export class AppRoleState {
  readonly locks = new KeyLock();
  private salt: Buffer | null = null;
  private readonly roles = new Map<string, RoleEntry>();
  /** Bumped by every role change: a read that straddles one is not cached. */
  private generation = 0;

  /** The mount's HMAC key; null before the first role or secret id made one. */
  async readSalt(storage: Storage): Promise<Buffer | null> {
    if (this.salt) return this.salt;
    const stored = await storage.get('salt');
    if (stored) this.salt = stored;
    return stored;
  }

  /** The mount's HMAC key, made (once, under a lock) on first use. */
  async ensureSalt(storage: Storage): Promise<Buffer> {
    const existing = await this.readSalt(storage);
    if (existing) return existing;
    return this.locks.run('salt', async () => {
      const raced = await this.readSalt(storage);
      if (raced) return raced;
      const salt = randomBytes(32);
      await storage.put('salt', salt);
      this.salt = Buffer.from(salt);
      return this.salt;
    });
  }

  /** The role a role id names, or null. */
  async roleByRoleId(storage: Storage, roleId: string): Promise<RoleEntry | null> {
    const generation = this.generation;
    const salt = await this.readSalt(storage);
    if (!salt) return null;
    const key = hmacOf(salt, roleId);
    const cached = this.roles.get(key);
    if (cached) return cached.roleId === roleId ? cached : null;
    const name = await storage.get(roleIdKey(key));
    const role = name ? await getRole(storage, name.toString('utf8')) : null;
    if (!role || role.roleId !== roleId) return null;
    if (generation === this.generation) {
      if (this.roles.size >= MAX_CACHED_ROLES) this.roles.clear();
      this.roles.set(key, role);
    }
    return role;
  }

  /** After any role write or delete has committed. */
  rolesChanged(): void {
    this.generation++;
    this.roles.clear();
  }

  /** The server is sealing: nothing read from storage stays in memory. */
  forget(): void {
    this.salt?.fill(0);
    this.salt = null;
    this.rolesChanged();
  }
}
