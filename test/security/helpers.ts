/**
 * What the security-invariant tests (test/security/*.test.ts, one file per invariant of
 * DESIGN.md's "Security invariants") share: reading the physical backend directly, reaching
 * fields the barrier keeps private, and the API steps they repeat (a kv version 1 mount, a
 * token, a seal and unseal, an error body's shape).
 */
import assert from 'node:assert/strict';
import type { ApiClient } from '../../src/api/client.js';
import type { PhysicalBackend } from '../../src/physical/types.js';
import type { RunningServer } from '../../src/server/start-server.js';
import type { TestServer } from '../helpers/dev-server.js';

export type Auth = { client_token: string; accessor: string; policies: string[] };
export type Body = Record<string, unknown>;

/** Every key of a physical backend, depth first. */
export async function allPhysicalKeys(physical: PhysicalBackend, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await physical.list(prefix)) {
    if (entry.endsWith('/')) out.push(...(await allPhysicalKeys(physical, prefix + entry)));
    else out.push(prefix + entry);
  }
  return out;
}

/** Every physical key with its stored bytes (hex): equal snapshots mean nothing was written. */
export async function physicalSnapshot(physical: PhysicalBackend): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await allPhysicalKeys(physical)) out.set(key, (await physical.get(key))?.toString('hex') ?? 'null');
  return out;
}

/**
 * Reads a field TypeScript calls private. The barrier hands out no live key buffer (getRootKey
 * returns a copy, which cannot show that the original was zeroed), so this is the only way to
 * hold the real buffers across a seal; if src renames the field, this fails loudly.
 */
export function privateField<T>(obj: object, name: string): T {
  assert.ok(name in obj, `${obj.constructor.name} has no field "${name}" any more: update this test or add a test hook`);
  return (obj as Record<string, unknown>)[name] as T;
}

export const isZero = (b: Buffer) => b.every((x) => x === 0);

/** A kv version 1 mount at `kv1/`: values stored as they are, at logical/<uuid>/<path>. */
export async function mountKv1(c: ApiClient): Promise<void> {
  const res = await c.raw('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
  assert.equal(res.status, 204, JSON.stringify(res.body));
}

export async function createToken(c: ApiClient, body: Body, path = 'auth/token/create'): Promise<Auth> {
  const res = await c.raw<{ auth: Auth; errors?: string[] }>('POST', path, body);
  assert.equal(res.status, 200, `${path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body!.auth;
}

export async function seal(t: { root: ApiClient }): Promise<void> {
  const res = await t.root.raw('PUT', 'sys/seal');
  assert.equal(res.status, 204, JSON.stringify(res.body));
}

export async function unseal(t: { anon: ApiClient; server: RunningServer }): Promise<void> {
  const res = await t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body!.sealed, false);
}

/** Seal and unseal: the barrier drops its cache of encrypted entries, so the next read goes to storage. */
export async function sealCycle(t: TestServer): Promise<void> {
  await seal(t);
  await unseal(t);
}

export function assertErrorBody(res: { status: number; body: Body | null }, context: string): string[] {
  const errors = res.body?.errors;
  assert.ok(Array.isArray(errors) && errors.length > 0, `${context}: no {"errors":[...]} in ${JSON.stringify(res.body)}`);
  for (const e of errors as unknown[]) assert.ok(typeof e === 'string' && e.trim().length > 0, `${context}: empty error message`);
  return errors as string[];
}
