/**
 * What the OIDC paths share: the identity store (entities and groups for claims and
 * assignments), the server's address (default issuers), one lock for read-decide-write
 * sequences on OIDC records, the authorization codes awaiting redemption (memory only,
 * minutes long, gone on seal), and key rotation when a key's period has passed.
 */
import { randomBytes } from 'node:crypto';
import { KeyLock } from '../../../framework/key-lock.js';
import type { Storage } from '../../../logical/storage.js';
import type { IdentityStore } from '../identity-store.js';
import { createKey, forgetSigners, rotateKey, rotationDue } from './keys.js';
import { readConfig, readRecord, writeRecord } from './records.js';
import type { TemplateEntity } from './template.js';
import { ALLOW_ALL, DEFAULT_KEY, DEFAULT_PROVIDER, type Assignment, type AuthCode, type NamedKey } from './types.js';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string over [A-Za-z0-9] (client ids, codes): rejection sampling keeps it uniform. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHANUM[b % 62];
    }
  }
  return out;
}

export const CODE_TTL_MS = 5 * 60_000;
const DAY = 86400;

export class OidcState {
  readonly lock = new KeyLock();
  private readonly codes = new Map<string, AuthCode>();
  private defaultsReady = false;

  constructor(
    readonly store: IdentityStore,
    private readonly apiAddr: () => string,
  ) {}

  /** Seal: codes and cached private keys go. */
  forget(): void {
    this.codes.clear();
    this.defaultsReady = false;
    forgetSigners();
  }

  /**
   * scheme://host:port that issuers default to: api_addr (the listener's address when unset),
   * never the request's Host header, which any caller of the unauthenticated discovery
   * endpoints could choose.
   */
  baseAddress(): string {
    return (this.apiAddr() || 'http://127.0.0.1:8200').replace(/\/+$/, '');
  }

  async tokenIssuer(storage: Storage): Promise<string> {
    const { issuer } = await readConfig(storage);
    return `${issuer || this.baseAddress()}/v1/identity/oidc`;
  }

  providerIssuer(issuer: string, name: string): string {
    return `${issuer || this.baseAddress()}/v1/identity/oidc/provider/${name}`;
  }

  /** Vault's built-in resources: the `default` key and provider and the `allow_all` assignment. */
  async ensureDefaults(storage: Storage, now: number): Promise<void> {
    if (this.defaultsReady) return;
    await this.lock.run('defaults', async () => {
      if (this.defaultsReady) return;
      if (!(await readRecord(storage, 'key', DEFAULT_KEY))) {
        await writeRecord(storage, 'key', await createKey({ name: DEFAULT_KEY, algorithm: 'RS256', rotationPeriod: DAY, verificationTtl: DAY, allowedClientIds: ['*'] }, now));
      }
      if (!(await readRecord(storage, 'assignment', ALLOW_ALL))) await writeRecord(storage, 'assignment', { name: ALLOW_ALL, entityIds: ['*'], groupIds: ['*'] });
      if (!(await readRecord(storage, 'provider', DEFAULT_PROVIDER))) {
        await writeRecord(storage, 'provider', { name: DEFAULT_PROVIDER, issuer: '', allowedClientIds: ['*'], scopesSupported: [] });
      }
      this.defaultsReady = true;
    });
  }

  /** The named key, rotated first when its period has passed (the periodic run does the same). */
  async keyForSigning(storage: Storage, name: string, now: number): Promise<NamedKey | null> {
    const key = await readRecord(storage, 'key', name);
    if (!key || !rotationDue(key, now)) return key;
    return this.lock.run(`key/${name}`, async () => {
      const current = await readRecord(storage, 'key', name);
      if (!current || !rotationDue(current, now)) return current;
      const rotated = await rotateKey(current, now);
      await writeRecord(storage, 'key', rotated);
      return rotated;
    });
  }

  saveCode(code: AuthCode, now: number): string {
    for (const [k, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(k);
    const id = randomAlphanumeric(32);
    this.codes.set(id, code);
    return id;
  }

  /** The code's grant, removed as it is read: a code is good for one redemption only. */
  takeCode(id: string, now: number): AuthCode | undefined {
    const code = this.codes.get(id);
    this.codes.delete(id);
    return code && code.expiresAt > now ? code : undefined;
  }

  /** The entity as templates see it, with its direct and inherited groups; undefined when gone. */
  templateEntity(entityId: string): TemplateEntity | undefined {
    const e = this.store.entity(entityId);
    if (!e) return undefined;
    const m = this.store.membership;
    const ids = [...new Set([...m.directGroupIds(entityId), ...m.inheritedGroupIds(entityId)])];
    const groups = ids.map((id) => this.store.group(id)).filter((g) => g !== undefined);
    return {
      id: e.id,
      name: e.name,
      metadata: e.metadata,
      aliases: e.aliases.map((a) => ({ id: a.id, mountAccessor: a.mountAccessor, name: a.name, metadata: a.metadata, customMetadata: a.customMetadata })),
      groups: groups.map((g) => ({ id: g.id, name: g.name, metadata: g.metadata })),
    };
  }

  /** Whether any of the assignments names the entity or one of its groups. */
  assigned(assignments: Assignment[], entity: TemplateEntity): boolean {
    const groupIds = new Set(entity.groups.map((g) => g.id));
    return assignments.some((a) => a.entityIds.includes('*') || a.groupIds.includes('*') || a.entityIds.includes(entity.id) || a.groupIds.some((g) => groupIds.has(g)));
  }
}
