/**
 * The login MFA gate. A login whose mount (accessor or type), entity or groups a login
 * enforcement names gets no token at first: it answers `auth.mfa_requirement` with a request
 * id, and `sys/mfa/validate` (or, in one step, an `X-Vault-MFA: <method>:<code>` header on
 * the login) completes it. Pending logins live in memory for a few minutes and complete
 * once; the token is only made when they do.
 */
import { randomUUID } from 'node:crypto';
import { CofferError, invalidRequest, permissionDenied } from '../../../errors.js';
import type { AuthBlock, MfaRequirementBlock, Response } from '../../../logical/request.js';
import type { IdentityStore } from '../identity-store.js';
import type { MfaStore } from './mfa-store.js';

/** How long a login waits for its MFA (Vault's is a few minutes too). */
export const MFA_REQUEST_TTL_MS = 5 * 60 * 1000;
const MAX_PENDING = 10_000;

export interface MfaConstraint {
  /** The enforcement's name. */
  name: string;
  methodIds: string[];
}


export interface LoginFacts {
  mountAccessor: string;
  mountType: string;
  entityId: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

interface PendingLogin {
  entityId: string;
  constraints: MfaConstraint[];
  expiresAt: number;
  finish: () => Promise<Response>;
}

/** passcodes by method id (or name), as sys/mfa/validate's mfa_payload and the header give them. */
export type MfaPayload = Record<string, string[]>;

export const MFA_WARNING =
  'A login request was issued that is subject to MFA validation. Please make sure to validate the login by sending another request to mfa/validate endpoint.';

export class LoginMfa {
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    private readonly store: MfaStore,
    private readonly identity: IdentityStore,
  ) {}

  clear(): void {
    this.pending.clear();
  }

  /** The enforcements this login falls under, each with the methods that can satisfy it. */
  constraintsFor(login: Pick<LoginFacts, 'mountAccessor' | 'mountType' | 'entityId'>): MfaConstraint[] {
    const enforcements = this.store.allEnforcements();
    if (enforcements.length === 0) return [];
    const entityId = login.entityId ?? '';
    const groups = entityId ? this.identity.membership.ancestors(this.identity.membership.directGroupIds(entityId)) : new Set<string>();
    const out: MfaConstraint[] = [];
    for (const e of enforcements) {
      const applies =
        e.authMethodAccessors.includes(login.mountAccessor) ||
        e.authMethodTypes.includes(login.mountType) ||
        (entityId !== '' && e.identityEntityIds.includes(entityId)) ||
        e.identityGroupIds.some((g) => groups.has(g));
      if (applies) out.push({ name: e.name, methodIds: [...e.mfaMethodIds] });
    }
    return out;
  }

  /**
   * Lets the login through (`finish` makes its token) when no enforcement applies or the
   * X-Vault-MFA header satisfies every one; otherwise parks it and answers the requirement.
   */
  async gate(login: LoginFacts, finish: () => Promise<Response>): Promise<Response> {
    const constraints = this.constraintsFor(login);
    if (constraints.length === 0) return finish();
    if (!login.entityId) throw permissionDenied('login MFA is required, and this login has no entity to check it against');
    const header = parseMfaHeader(login.headers['x-vault-mfa']);
    if (header) {
      this.satisfy(constraints, login.entityId, header);
      return finish();
    }
    const now = this.store.clock();
    this.prune(now);
    if (this.pending.size >= MAX_PENDING) throw new CofferError('RateLimited', 'too many logins waiting for MFA; try again shortly');
    const id = randomUUID();
    this.pending.set(id, { entityId: login.entityId, constraints, expiresAt: now + MFA_REQUEST_TTL_MS, finish });
    return { authBlock: mfaAuthBlock(id, constraints, (m) => this.store.method(m)?.name ?? ''), warnings: [MFA_WARNING] };
  }

  /** `sys/mfa/validate`: the parked login's token, once its passcodes check out. */
  async validate(requestId: string, payload: MfaPayload): Promise<Response> {
    const p = this.pending.get(requestId);
    if (!p || p.expiresAt <= this.store.clock()) {
      this.pending.delete(requestId);
      throw permissionDenied('MFA request not found or expired: log in again');
    }
    this.satisfy(p.constraints, p.entityId, payload);
    // Completes once: nothing awaited between the check and this line.
    this.pending.delete(requestId);
    return p.finish();
  }

  /** Every constraint needs a right, unused passcode for one of its methods; 400/403/429 otherwise. */
  private satisfy(constraints: MfaConstraint[], entityId: string, payload: MfaPayload): void {
    const given = new Map<string, string>();
    for (const [key, codes] of Object.entries(payload)) {
      const method = this.store.methodByIdOrName(key);
      const shown = JSON.stringify(key.slice(0, 64));
      if (!method || !constraints.some((c) => c.methodIds.includes(method.id))) throw invalidRequest(`MFA method ${shown} is not one this login requires`);
      if (!Array.isArray(codes) || codes.length !== 1 || typeof codes[0] !== 'string') throw invalidRequest(`expected exactly one passcode for MFA method ${shown}`);
      given.set(method.id, codes[0].trim());
    }
    // Two enforcements may name the same method: its passcode is checked (and spent) once.
    const chosen = new Set<string>();
    for (const c of constraints) {
      const methodId = c.methodIds.find((m) => given.has(m));
      if (!methodId) throw invalidRequest(`no passcode given for login enforcement "${c.name}"`);
      chosen.add(methodId);
    }
    for (const methodId of chosen) {
      const method = this.store.method(methodId);
      if (!method) throw permissionDenied(`MFA method "${methodId}" no longer exists`);
      this.store.checkPasscode(method, entityId, given.get(methodId)!);
    }
  }

  private prune(now: number): void {
    for (const [id, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(id);
  }
}

/** `X-Vault-MFA: <method id or name>:<passcode>`, one header per method; undefined when absent. */
export function parseMfaHeader(raw: string | string[] | undefined): MfaPayload | undefined {
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) return undefined;
  const out: MfaPayload = {};
  for (const v of values) {
    const at = v.lastIndexOf(':');
    if (at <= 0) throw invalidRequest('X-Vault-MFA must be "<method id or name>:<passcode>"');
    (out[v.slice(0, at)] ??= []).push(v.slice(at + 1));
  }
  return out;
}

function mfaAuthBlock(requestId: string, constraints: MfaConstraint[], nameOf: (id: string) => string): AuthBlock {
  const mfa: MfaRequirementBlock = { mfa_request_id: requestId, mfa_constraints: {} };
  for (const c of constraints) mfa.mfa_constraints[c.name] = { any: c.methodIds.map((id) => ({ type: 'totp', id, uses_passcode: true, name: nameOf(id) })) };
  return {
    client_token: '',
    accessor: '',
    policies: [],
    token_policies: [],
    identity_policies: [],
    metadata: null,
    lease_duration: 0,
    renewable: false,
    entity_id: '',
    token_type: 'service',
    orphan: false,
    mfa_requirement: mfa,
    num_uses: 0,
  };
}
