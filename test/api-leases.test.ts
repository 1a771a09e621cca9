/**
 * Leases over HTTP: issue, look up, list, renew (capped), revoke (one, by prefix, forced, with
 * the token that created them), expiry on time, retries and irrevocable leases, and restore
 * after seal/unseal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { leasingRegistry } from './helpers/leasing-backend.js';

type Issued = { lease_id: string; lease_duration: number; renewable: boolean; data: { username: string; password: string } };

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return Date.now() - start;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('leases over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, { extraBackends: leasingRegistry, leaseRetry: { baseMs: 100, capMs: 200, maxAttempts: 3 } });
    for (const path of ['db', 'other']) await t.root.write(`sys/mounts/${path}`, { type: 'leasing' });
    await t.root.write('db/config', { ttl: '1h', max_ttl: '2h' });
    await t.root.write('other/config', { ttl: '1h' });
    await t.root.write('sys/policies/acl/app', { policy: 'path "db/creds/*" { capabilities = ["read"] }' });
  });
  after(() => t.close());

  const issue = async (path = 'db/creds/app', token?: string) => (await (token ? t.client(token) : t.root).read(path)) as unknown as Issued;
  const accounts = async (mount = 'db') => ((await t.root.list(`${mount}/accounts/`))?.data?.keys as string[] | undefined) ?? [];
  const lookup = (leaseId: string) => t.root.raw('PUT', 'sys/leases/lookup', { lease_id: leaseId });
  const appToken = async (extra: Record<string, unknown> = {}) =>
    ((await t.root.write('auth/token/create', { policies: ['app'], ...extra }))!.auth as { client_token: string }).client_token;

  it('gives a secret with a TTL a lease id under its request path, with the mount\'s TTL', async () => {
    const secret = await issue();
    assert.match(secret.lease_id, /^db\/creds\/app\/[0-9A-Za-z]{24}$/);
    assert.equal(secret.lease_duration, 3600);
    assert.equal(secret.renewable, true);
    assert.ok((await accounts()).includes(secret.data.username));
  });

  it('looks a lease up with Vault\'s fields', async () => {
    const secret = await issue();
    const res = await lookup(secret.lease_id);
    assert.equal(res.status, 200);
    const data = (res.body as { data: Record<string, unknown> }).data;
    assert.equal(data.id, secret.lease_id);
    assert.equal(data.renewable, true);
    assert.equal(data.last_renewal, null);
    assert.ok(Number.isInteger(data.ttl) && (data.ttl as number) > 3590 && (data.ttl as number) <= 3600);
    assert.ok(Date.parse(data.expire_time as string) > Date.parse(data.issue_time as string));
  });

  it('renews by an increment, never past the max TTL, and says so', async () => {
    const secret = await issue();
    const renewed = (await t.root.write('sys/leases/renew', { lease_id: secret.lease_id, increment: '90m' }))!;
    assert.equal(renewed.lease_id, secret.lease_id);
    assert.equal(renewed.lease_duration, 5400);
    assert.equal(renewed.renewable, true);
    const capped = (await t.root.write('sys/leases/renew', { lease_id: secret.lease_id, increment: '10h' }))!;
    assert.ok(capped.lease_duration <= 7200 && capped.lease_duration > 7190, String(capped.lease_duration));
    assert.match(capped.warnings!.join(' '), /capped/);
    const data = ((await lookup(secret.lease_id)).body as { data: Record<string, unknown> }).data;
    assert.notEqual(data.last_renewal, null);
    // The legacy path and the URL form renew too.
    assert.equal((await t.root.write(`sys/renew/${secret.lease_id}`, { increment: 60 }))!.lease_duration, 60);
  });

  it('revokes a lease: the account is gone from the engine and the lease from lookups', async () => {
    const secret = await issue();
    assert.equal((await t.root.raw('PUT', 'sys/leases/revoke', { lease_id: secret.lease_id })).status, 204);
    assert.ok(!(await accounts()).includes(secret.data.username));
    const after = await lookup(secret.lease_id);
    assert.equal(after.status, 400);
    assert.deepEqual(after.body, { errors: ['invalid lease'] });
    // Revocation is idempotent, and the legacy URL form works.
    assert.equal((await t.root.raw('PUT', `sys/revoke/${secret.lease_id}`)).status, 204);
  });

  it('lists lease ids by prefix (sudo only)', async () => {
    const a = await issue('db/creds/lister');
    const b = await issue('db/creds/lister');
    const keys = (await t.root.list('sys/leases/lookup/db/creds/lister/'))!.data!.keys as string[];
    assert.deepEqual(keys, [a.lease_id, b.lease_id].map((id) => id.split('/').pop()).sort());
    const top = (await t.root.list('sys/leases/lookup/db/'))!.data!.keys as string[];
    assert.ok(top.includes('creds/'));
    const plain = t.client(await appToken());
    assert.equal((await plain.raw('LIST', 'sys/leases/lookup/db/')).status, 403);
  });

  it('revokes every lease under a prefix, and only those', async () => {
    const mine = [await issue('db/creds/batch'), await issue('db/creds/batch')];
    const kept = await issue('db/creds/keep');
    assert.equal((await t.root.raw('PUT', 'sys/leases/revoke-prefix/db/creds/batch')).status, 204);
    const left = await accounts();
    for (const s of mine) assert.ok(!left.includes(s.data.username));
    assert.ok(left.includes(kept.data.username));
    const plain = t.client(await appToken());
    assert.equal((await plain.raw('PUT', 'sys/leases/revoke-prefix/db/creds/keep')).status, 403);
    assert.ok((await accounts()).includes(kept.data.username));
  });

  it('revoking a token revokes the leases it created', async () => {
    const token = await appToken();
    const secret = await issue('db/creds/app', token);
    await t.root.write('auth/token/revoke', { token });
    assert.ok(!(await accounts()).includes(secret.data.username));
    assert.equal((await lookup(secret.lease_id)).status, 400);
  });

  it('revokes a lease on time when its TTL runs out', async () => {
    await t.root.write('other/config', { ttl: 1 });
    const secret = await issue('other/creds/short');
    assert.equal(secret.lease_duration, 1);
    const issuedAt = Date.now();
    await waitFor('the short lease to be revoked', async () => !(await accounts('other')).includes(secret.data.username), 4000);
    const late = Date.now() - issuedAt - 1000;
    assert.ok(late < 1000, `revoked ${late} ms after expiry`);
    assert.equal((await lookup(secret.lease_id)).status, 400);
    await t.root.write('other/config', { ttl: '1h' });
  });

  it('revokes a token on time when its TTL runs out, and its leases with it', async () => {
    const token = await appToken({ ttl: 1 });
    const secret = await issue('db/creds/app', token);
    await waitFor('the token\'s lease to be revoked', async () => !(await accounts()).includes(secret.data.username), 4000);
    assert.equal((await t.client(token).raw('GET', 'auth/token/lookup-self')).status, 403);
  });

  it('retries a failing revocation with backoff, then keeps the lease as irrevocable and lists it', async () => {
    await t.root.write('other/config', { ttl: 1, fail_revoke: true });
    const secret = await issue('other/creds/stuck');
    await waitFor('the lease to be marked irrevocable', async () => {
      const res = (await t.root.read('sys/leases?type=irrevocable'))!.data!;
      return (res.leases as { lease_id: string }[]).some((l) => l.lease_id === secret.lease_id);
    });
    const listed = (await t.root.read('sys/leases?type=irrevocable'))!.data!;
    // As in Vault, the irrevocable list (lease ids and engines' errors) is for sudo callers only.
    await t.root.write('sys/policies/acl/leases-read', { policy: 'path "sys/leases" { capabilities = ["read"] }' });
    const reader = ((await t.root.write('auth/token/create', { policies: ['leases-read'] }))!.auth as { client_token: string }).client_token;
    assert.equal((await t.client(reader).raw('GET', 'sys/leases?type=irrevocable')).status, 403);
    const entry = (listed.leases as Record<string, string>[]).find((l) => l.lease_id === secret.lease_id)!;
    assert.match(entry.error!, /account store unreachable/);
    assert.ok(((await t.root.read('sys/leases/count?type=irrevocable'))!.data!.lease_count as number) >= 1);
    // Never dropped silently: the account still exists and the lease can still be looked up.
    assert.ok((await accounts('other')).includes(secret.data.username));
    assert.equal((await lookup(secret.lease_id)).status, 200);
    // A plain revoke reports the failure; revoke-force removes the lease without the engine.
    const refused = await t.root.raw('PUT', 'sys/leases/revoke', { lease_id: secret.lease_id });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /account store unreachable/);
    assert.equal((await t.root.raw('PUT', 'sys/leases/revoke-force/other/creds/stuck')).status, 204);
    assert.equal((await lookup(secret.lease_id)).status, 400);
    assert.ok((await accounts('other')).includes(secret.data.username), 'force must not call the engine');
    await t.root.write('other/config', { ttl: '1h', fail_revoke: false });
  });

  it('refuses renewals it cannot honour with a clear 400', async () => {
    const missing = await t.root.raw('PUT', 'sys/leases/renew', { lease_id: 'db/creds/app/doesnotexist' });
    assert.equal(missing.status, 400);
    assert.equal((await t.root.raw('PUT', 'sys/leases/renew', {})).status, 400);
    assert.equal((await t.root.raw('PUT', 'sys/leases/lookup', { lease_id: '../sys/token' })).status, 400);
    await t.root.write('other/config', { renewable: false });
    const fixed = await issue('other/creds/fixed');
    const res = await t.root.raw('PUT', 'sys/leases/renew', { lease_id: fixed.lease_id });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /not renewable/);
    await t.root.write('other/config', { renewable: true, fail_renew: true });
    const flaky = await issue('other/creds/flaky');
    const failed = await t.root.raw('PUT', 'sys/leases/renew', { lease_id: flaky.lease_id, increment: 60 });
    assert.equal(failed.status, 400);
    assert.match(JSON.stringify(failed.body), /unreachable \(renew\)/);
    await t.root.write('other/config', { fail_renew: false });
  });

  it('treats tokens as leases: listed under their creation path, revocable by prefix, not renewable here', async () => {
    const token = await appToken();
    const keys = (await t.root.list('sys/leases/lookup/auth/token/create/'))!.data!.keys as string[];
    assert.ok(keys.length >= 1);
    const leaseId = `auth/token/create/${keys[0]}`;
    const found = (await lookup(leaseId)).body as { data: { id: string; renewable: boolean } };
    assert.equal(found.data.id, leaseId);
    const renew = await t.root.raw('PUT', 'sys/leases/renew', { lease_id: leaseId });
    assert.equal(renew.status, 400);
    assert.match(JSON.stringify(renew.body), /auth\/token\/renew/);
    assert.equal((await t.root.raw('PUT', 'sys/leases/revoke-prefix/auth/token/')).status, 204);
    assert.equal((await t.client(token).raw('GET', 'auth/token/lookup-self')).status, 403);
    // As in Vault, a token that never expires is not a lease: the root token survives.
    assert.equal((await t.root.raw('GET', 'auth/token/lookup-self')).status, 200);
  });

  it('disabling a mount revokes its leases first', async () => {
    await t.root.write('sys/mounts/gone', { type: 'leasing' });
    await t.root.write('gone/config', { ttl: '1h' });
    const secret = await issue('gone/creds/app');
    const revokedBefore = (await t.root.list('gone/revoked/'))?.data?.keys ?? [];
    assert.deepEqual(revokedBefore, []);
    await t.root.delete('sys/mounts/gone');
    assert.equal((await lookup(secret.lease_id)).status, 400);
  });

  it('keeps leases across seal and unseal, and revokes the ones that expired meanwhile', async () => {
    await t.root.write('other/config', { ttl: 2 });
    const secret = await issue('other/creds/sealed');
    const long = await issue('db/creds/sealed');
    await t.root.write('other/config', { ttl: '1h' });
    const key = t.server.dev!.unsealKey;
    await t.root.write('sys/seal', {});
    await sleep(2500);
    await t.anon.write('sys/unseal', { key });
    await waitFor('the lease that expired while sealed to be revoked', async () => !(await accounts('other')).includes(secret.data.username));
    assert.equal((await lookup(long.lease_id)).status, 200);
    assert.ok((await accounts()).includes(long.data.username));
  });

  it('tidy revokes the leases of a token that vanished without revoking them (a crash between the two)', async () => {
    const token = await appToken();
    const secret = await issue('db/creds/app', token);
    const { core } = t.server;
    const entry = (await core.tokens.lookup(token))!;
    // What a crash after deleting the token, before its leases, leaves behind.
    await core.tokens.storage.delete(`id/${entry.hashedId}`);
    core.tokens.clear();
    assert.ok((await accounts()).includes(secret.data.username));
    const res = await t.root.raw('PUT', 'sys/leases/tidy', {});
    assert.equal(res.status, 202);
    assert.match(JSON.stringify(res.body), /Tidy operation successfully started/);
    await waitFor('tidy to revoke the orphaned lease', async () => !(await accounts()).includes(secret.data.username));
    assert.equal((await lookup(secret.lease_id)).status, 400);
  });

  it('answers bad prefixes and ids with 400, never 500', async () => {
    for (const path of ['sys/leases/revoke-prefix//', 'sys/leases/revoke-prefix/', 'sys/leases/revoke/a//b']) {
      const res = await t.root.raw('PUT', path, {});
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
    }
    assert.equal((await t.root.raw('GET', 'sys/leases/count?type=bogus')).status, 400);
  });
});
