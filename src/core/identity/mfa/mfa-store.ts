/**
 * Login MFA configuration and state: TOTP methods, login enforcements and the entities'
 * TOTP secrets, held in memory (loaded on unseal, dropped on seal) and written through the
 * barrier first. Passcode checks live here too, with what makes them safe: a code is good
 * once (UsedCodes), and failed checks per entity and method are limited
 * (max_validation_attempts within a window; CVE-2025-6015 class).
 *
 * Storage (below the view core hands in):
 *   method/<id>                 TotpMethod
 *   enforcement/<name>          LoginEnforcement
 *   secret/<method id>/<entity> EntityTotpSecret
 */
import { CofferError, invalidRequest, permissionDenied } from '../../../errors.js';
import { applyOps, getJson, putJson, type Storage, type StorageOp } from '../../../logical/storage.js';
import { stepExpiry, totpStep, UsedCodes, type TotpKey } from '../../../crypto/totp.js';
import { listAllKeys } from '../../token/token-cache.js';
import type { EntityTotpSecret, LoginEnforcement, TotpMethod } from './types.js';

/** How long failed attempts count against an entity and method before the count starts over. */
export const ATTEMPT_WINDOW_MS = 5 * 60 * 1000;

const secretKey = (methodId: string, entityId: string) => `${methodId}/${entityId}`;

export class MfaStore {
  private readonly methods = new Map<string, TotpMethod>();
  private readonly enforcements = new Map<string, LoginEnforcement>();
  private readonly secrets = new Map<string, EntityTotpSecret>();
  private readonly used = new UsedCodes();
  private readonly failures = new Map<string, { count: number; since: number }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    readonly clock: () => number,
  ) {}

  async load(): Promise<void> {
    this.clear();
    for (const id of await listAllKeys(this.storage, 'method/')) {
      const m = await getJson<TotpMethod>(this.storage, `method/${id}`);
      if (m) this.methods.set(m.id, m);
    }
    for (const name of await listAllKeys(this.storage, 'enforcement/')) {
      const e = await getJson<LoginEnforcement>(this.storage, `enforcement/${name}`);
      if (e) this.enforcements.set(e.name, e);
    }
    for (const methodId of this.methods.keys()) {
      for (const entityId of await listAllKeys(this.storage, `secret/${methodId}/`)) {
        const s = await getJson<EntityTotpSecret>(this.storage, `secret/${methodId}/${entityId}`);
        if (s) this.secrets.set(secretKey(s.methodId, s.entityId), s);
      }
    }
  }

  clear(): void {
    this.methods.clear();
    this.enforcements.clear();
    this.secrets.clear();
    this.failures.clear();
  }

  /** Runs changes one at a time, each checking against the state the previous one left. */
  change<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- methods ----

  method(id: string): TotpMethod | undefined {
    return this.methods.get(id);
  }

  /** A method by id, or by its name when no id matches (the X-Vault-MFA header takes either). */
  methodByIdOrName(idOrName: string): TotpMethod | undefined {
    return this.methods.get(idOrName) ?? [...this.methods.values()].find((m) => m.name !== '' && m.name === idOrName);
  }

  allMethods(): TotpMethod[] {
    return [...this.methods.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async putMethod(m: TotpMethod): Promise<void> {
    await putJson(this.storage, `method/${m.id}`, m);
    this.methods.set(m.id, m);
  }

  async deleteMethod(id: string): Promise<void> {
    const users = [...this.enforcements.values()].filter((e) => e.mfaMethodIds.includes(id)).map((e) => e.name);
    if (users.length) throw invalidRequest(`MFA method is used by login enforcement ${users.map((n) => `"${n}"`).join(', ')}; remove it there first`);
    // The method and every entity's secret for it go in one batch: never a method half gone.
    const entities = [...this.secrets.values()].filter((s) => s.methodId === id).map((s) => s.entityId);
    await applyOps(this.storage, [...entities.map((e): StorageOp => ({ kind: 'delete', key: `secret/${id}/${e}` })), { kind: 'delete', key: `method/${id}` }]);
    for (const e of entities) {
      this.secrets.delete(secretKey(id, e));
      this.failures.delete(secretKey(id, e));
      this.used.forget(`${secretKey(id, e)}\n`);
    }
    this.methods.delete(id);
  }

  // ---- enforcements ----

  enforcement(name: string): LoginEnforcement | undefined {
    return this.enforcements.get(name);
  }

  allEnforcements(): LoginEnforcement[] {
    return [...this.enforcements.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async putEnforcement(e: LoginEnforcement): Promise<void> {
    await putJson(this.storage, `enforcement/${e.name}`, e);
    this.enforcements.set(e.name, e);
  }

  async deleteEnforcement(name: string): Promise<void> {
    await this.storage.delete(`enforcement/${name}`);
    this.enforcements.delete(name);
  }

  // ---- secrets ----

  secret(methodId: string, entityId: string): EntityTotpSecret | undefined {
    return this.secrets.get(secretKey(methodId, entityId));
  }

  async putSecret(s: EntityTotpSecret): Promise<void> {
    await putJson(this.storage, `secret/${s.methodId}/${s.entityId}`, s);
    this.secrets.set(secretKey(s.methodId, s.entityId), s);
    this.failures.delete(secretKey(s.methodId, s.entityId));
  }

  async deleteSecret(methodId: string, entityId: string): Promise<void> {
    await this.storage.delete(`secret/${methodId}/${entityId}`);
    this.secrets.delete(secretKey(methodId, entityId));
    this.failures.delete(secretKey(methodId, entityId));
    this.used.forget(`${secretKey(methodId, entityId)}\n`);
  }

  // ---- passcodes ----

  /**
   * Checks one passcode of `entityId` for `method`; throws 403 when wrong or already used,
   * 429 once max_validation_attempts failures have piled up within the window (even for a
   * right code: the limit must hold whatever the guess). The message never holds the code.
   */
  checkPasscode(method: TotpMethod, entityId: string, code: string): void {
    const key = secretKey(method.id, entityId);
    const now = this.clock();
    let failed = this.failures.get(key);
    if (failed && now - failed.since >= ATTEMPT_WINDOW_MS) {
      this.failures.delete(key);
      failed = undefined;
    }
    if (failed && failed.count >= method.maxValidationAttempts) {
      const wait = Math.ceil((failed.since + ATTEMPT_WINDOW_MS - now) / 1000);
      throw new CofferError('RateLimited', `maximum TOTP validation attempts (${method.maxValidationAttempts}) reached for this MFA method; try again in ${wait} seconds`);
    }
    const secret = this.secrets.get(key);
    if (!secret) throw permissionDenied(`login MFA: the entity has no TOTP secret for MFA method "${method.id}"`);
    const totp: TotpKey = { secret: secret.secret, issuer: method.issuer, accountName: secret.accountName, algorithm: method.algorithm, digits: method.digits, period: method.period };
    const step = totpStep(totp, code, method.skew, now);
    const fail = (why: string) => {
      if (failed) failed.count++;
      else this.failures.set(key, { count: 1, since: now });
      return permissionDenied(`login MFA: ${why}`);
    };
    if (step === undefined) throw fail('failed to validate TOTP passcode');
    if (!this.used.use(key, step, code, stepExpiry(step, method.period, method.skew), now)) throw fail('this TOTP passcode was already used; wait for the next one');
    this.failures.delete(key);
  }
}
