/** What the auth method tests share: enabling a method, logging in, reading a token. */
import assert from 'node:assert/strict';
import type { ApiClient, RawResponse } from '../../src/api/client.js';

export type Auth = {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  identity_policies: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  num_uses: number;
};

export type Body = { errors?: string[]; auth?: Auth; data?: Record<string, unknown>; warnings?: string[] | null; wrap_info?: Record<string, unknown> | null };

export async function enable(c: ApiClient, path: string, type: string): Promise<void> {
  const res = await c.raw('POST', `sys/auth/${path}`, { type });
  assert.equal(res.status, 204, JSON.stringify(res.body));
}

/** Expects `status`; returns the body. */
export async function expectStatus(res: Promise<RawResponse<Body>>, status: number, what = ''): Promise<Body> {
  const r = await res;
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body ?? {};
}

/** A 4xx whose message matches `pattern` (never a 5xx). */
export async function expectError(res: Promise<RawResponse<Body>>, status: number, pattern: RegExp): Promise<void> {
  const body = await expectStatus(res, status);
  assert.ok(Array.isArray(body.errors) && body.errors.some((e) => pattern.test(e)), `errors ${JSON.stringify(body.errors)} do not match ${pattern}`);
}

export async function login(c: ApiClient, path: string, body: Record<string, unknown>): Promise<Auth> {
  const b = await expectStatus(c.raw<Body>('POST', path, body), 200, `login ${path}`);
  assert.ok(b.auth, 'a login answers an auth block');
  return b.auth;
}

/** The auth block in exactly the shape clients parse. Every login maps to an entity (identity). */
export function assertAuthBlock(auth: Auth): void {
  assert.deepEqual(Object.keys(auth).sort(), [
    'accessor', 'client_token', 'entity_id', 'identity_policies', 'lease_duration', 'metadata', 'mfa_requirement', 'num_uses', 'orphan', 'policies', 'renewable', 'token_policies', 'token_type',
  ]);
  assert.match(auth.client_token, /^hvs\./);
  assert.equal(auth.token_type, 'service');
  assert.equal(auth.orphan, true);
  assert.match(auth.entity_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(Number.isInteger(auth.lease_duration) && Number.isInteger(auth.num_uses));
  assert.deepEqual(auth.identity_policies, []);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
