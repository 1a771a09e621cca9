/**
 * Login MFA with TOTP over HTTP against a real server: methods and enforcements through
 * identity/mfa/, secrets handed out as otpauth:// URLs (codes computed here with otpauth
 * from the URL's secret, as an authenticator app would), userpass logins that answer
 * mfa_requirement and are completed by sys/mfa/validate or in one step by X-Vault-MFA; and
 * what keeps it safe: one use per code, limited failed attempts, expiring requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TOTP, URI } from 'otpauth';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { enable, expectError, expectStatus, login, type Body } from './auth/helpers.js';

type Data = Record<string, unknown>;
type MfaAuth = { client_token: string; mfa_requirement: { mfa_request_id: string; mfa_constraints: Record<string, { any: { type: string; id: string; uses_passcode: boolean }[] }> } | null };

describe('login MFA with TOTP', () => {
  let t: TestServer;
  let offset = 0;
  const now = () => Date.now() + offset;
  let accessor: string;
  let methodId: string;
  const totps = new Map<string, TOTP>();
  const entities = new Map<string, string>();

  const data = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST', path: string, body?: Data): Promise<Data> =>
    (await expectStatus(t.root.raw<Body>(method, path, body), 200, `${method} ${path}`)).data!;
  /** Moves the server's clock (and ours) to a fresh TOTP period, so that earlier codes are out of the window. */
  const nextPeriods = (n = 3) => (offset += n * 30_000);
  const code = (user: string, stepShift = 0) => totps.get(user)!.generate({ timestamp: now() + stepShift * 30_000 });
  const loginRaw = (user: string, headers: Record<string, string> = {}) =>
    t.anon.raw<Body & { auth?: MfaAuth }>('POST', `auth/userpass/login/${user}`, { password: `pw-${user}` }, headers);
  const validate = (id: string, payload: Data) => t.anon.raw<Body>('POST', 'sys/mfa/validate', { mfa_request_id: id, mfa_payload: payload });
  const enforce = (name: string, targets: Data) => expectStatus(t.root.raw('POST', `identity/mfa/login-enforcement/${name}`, { mfa_method_ids: [methodId], ...targets }), 204, `enforcement ${name}`);
  const unenforce = (name: string) => expectStatus(t.root.raw('DELETE', `identity/mfa/login-enforcement/${name}`), 204);

  /** Logs in and expects the MFA requirement; returns the request id. */
  async function firstPhase(user: string, enforcement: string): Promise<string> {
    const body = await expectStatus(loginRaw(user), 200, `login ${user}`);
    const auth = body.auth as unknown as MfaAuth;
    assert.equal(auth.client_token, '', 'no token before MFA');
    assert.ok(auth.mfa_requirement, 'mfa_requirement present');
    assert.deepEqual(auth.mfa_requirement.mfa_constraints[enforcement]!.any.map((m) => [m.type, m.id, m.uses_passcode]), [['totp', methodId, true]]);
    assert.ok(body.warnings?.some((w) => /mfa\/validate/.test(w)));
    return auth.mfa_requirement.mfa_request_id;
  }

  before(async () => {
    t = await startDevServer({}, { clock: now });
    await enable(t.root, 'userpass', 'userpass');
    accessor = ((await t.root.read('sys/auth'))!.data as Record<string, { accessor: string }>)['userpass/']!.accessor;
    methodId = (await data('POST', 'identity/mfa/method/totp', { issuer: 'Coffer', max_validation_attempts: 3 })).method_id as string;
    for (const user of ['alice', 'bob', 'carol', 'dave']) {
      await expectStatus(t.root.raw('POST', `auth/userpass/users/${user}`, { password: `pw-${user}` }), 204);
      const auth = await login(t.anon, `auth/userpass/login/${user}`, { password: `pw-${user}` });
      entities.set(user, auth.entity_id);
      if (user === 'dave') continue;
      const gen = await data('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: auth.entity_id, method_id: methodId });
      assert.match(gen.url as string, /^otpauth:\/\/totp\/Coffer:entity_[0-9a-f]+\?/);
      assert.ok(Buffer.from(gen.barcode as string, 'base64').subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG');
      totps.set(user, URI.parse(gen.url as string) as TOTP);
    }
  });
  after(() => t.close());

  it('configures TOTP methods: read shape, list, update, 400 for bad settings', async () => {
    const m = await data('GET', `identity/mfa/method/totp/${methodId}`);
    assert.equal(m.id, methodId);
    assert.equal(m.type, 'totp');
    assert.deepEqual([m.issuer, m.period, m.key_size, m.algorithm, m.digits, m.skew, m.max_validation_attempts, m.qr_size], ['Coffer', 30, 20, 'SHA1', 6, 1, 3, 200]);
    const list = await data('LIST', 'identity/mfa/method/totp');
    assert.deepEqual(list.keys, [methodId]);
    await expectError(t.root.raw('POST', 'identity/mfa/method/totp', { issuer: 'x', digits: 7 }), 400, /digits must be 6 or 8/);
    await expectError(t.root.raw('POST', 'identity/mfa/method/totp', { issuer: 'x', algorithm: 'MD5' }), 400, /algorithm/);
    await expectError(t.root.raw('POST', 'identity/mfa/method/totp', { period: 30 }), 400, /issuer is required/);
    await expectError(t.root.raw('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: 'nope', method_id: methodId }), 400, /entity "nope" does not exist/);
    const again = await expectStatus(t.root.raw<Body>('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: entities.get('alice'), method_id: methodId }), 200);
    assert.equal(again.data ?? null, null, 'an existing secret is never shown again');
    assert.ok(again.warnings?.some((w) => /already has a secret/.test(w)));
    await expectError(t.root.raw('POST', 'identity/mfa/login-enforcement/bad', { mfa_method_ids: [methodId] }), 400, /one of auth_method_accessors/);
    await expectError(t.root.raw('POST', 'identity/mfa/login-enforcement/bad', { mfa_method_ids: ['nope'], auth_method_types: ['userpass'] }), 400, /MFA method "nope" does not exist/);
  });

  it('two-phase: the login answers mfa_requirement and no token; sys/mfa/validate answers the real token, once', async () => {
    await enforce('by-accessor', { auth_method_accessors: [accessor] });
    const enf = await data('GET', 'identity/mfa/login-enforcement/by-accessor');
    assert.deepEqual(enf.auth_method_accessors, [accessor]);
    try {
      const id = await firstPhase('alice', 'by-accessor');
      const done = await expectStatus(validate(id, { [methodId]: [code('alice')] }), 200, 'validate');
      const token = done.auth!.client_token;
      assert.match(token, /^hvs\./);
      assert.equal(done.auth!.entity_id, entities.get('alice'));
      const self = (await expectStatus(t.client(token).raw<Body>('GET', 'auth/token/lookup-self'), 200)).data!;
      assert.equal(self.entity_id, entities.get('alice'));
      assert.equal(self.path, 'auth/userpass/login/alice');
      await expectError(validate(id, { [methodId]: [code('alice', 1)] }), 403, /not found or expired/);
    } finally {
      await unenforce('by-accessor');
    }
  });

  it('two enforcements naming the same method need its passcode once', async () => {
    nextPeriods();
    await enforce('overlap-accessor', { auth_method_accessors: [accessor] });
    await enforce('overlap-type', { auth_method_types: ['userpass'] });
    try {
      const body = await expectStatus(loginRaw('carol'), 200);
      const req = (body.auth as unknown as MfaAuth).mfa_requirement!;
      assert.deepEqual(Object.keys(req.mfa_constraints).sort(), ['overlap-accessor', 'overlap-type']);
      const done = await expectStatus(validate(req.mfa_request_id, { [methodId]: [code('carol')] }), 200, 'validate');
      assert.match(done.auth!.client_token, /^hvs\./);
    } finally {
      await unenforce('overlap-accessor');
      await unenforce('overlap-type');
    }
  });

  it('refuses a code used once already (replay), then accepts a fresh one', async () => {
    nextPeriods();
    await enforce('by-type', { auth_method_types: ['userpass'] });
    try {
      const used = code('bob');
      const first = await firstPhase('bob', 'by-type');
      await expectStatus(validate(first, { [methodId]: [used] }), 200);
      const second = await firstPhase('bob', 'by-type');
      await expectError(validate(second, { [methodId]: [used] }), 403, /already used/);
      const again = await expectStatus(validate(second, { [methodId]: [code('bob', 1)] }), 200);
      assert.match(again.auth!.client_token, /^hvs\./);
    } finally {
      await unenforce('by-type');
    }
  });

  it('single-phase: X-Vault-MFA on the login answers the token directly; a wrong or reused code is 403', async () => {
    nextPeriods();
    await enforce('by-type', { auth_method_types: ['userpass'] });
    try {
      const c = code('alice');
      const ok = await expectStatus(loginRaw('alice', { 'X-Vault-MFA': `${methodId}:${c}` }), 200);
      assert.match(ok.auth!.client_token, /^hvs\./);
      assert.equal((ok.auth as unknown as MfaAuth).mfa_requirement, null);
      await expectError(loginRaw('alice', { 'X-Vault-MFA': `${methodId}:${c}` }), 403, /already used/);
      const wrong = String((Number(code('alice', 1)) + 1) % 1_000_000).padStart(6, '0');
      await expectError(loginRaw('alice', { 'X-Vault-MFA': `${methodId}:${wrong}` }), 403, /failed to validate/);
    } finally {
      await unenforce('by-type');
    }
  });

  it('answers 400 for a method id the login does not require, or a missing payload', async () => {
    nextPeriods();
    const other = (await data('POST', 'identity/mfa/method/totp', { issuer: 'Other' })).method_id as string;
    await enforce('by-type', { auth_method_types: ['userpass'] });
    try {
      const id = await firstPhase('alice', 'by-type');
      await expectError(validate(id, { [other]: [code('alice')] }), 400, new RegExp(`MFA method "${other}" is not one this login requires`));
      await expectError(validate(id, { 'no-such-method': ['123456'] }), 400, /is not one this login requires/);
      await expectError(t.anon.raw('POST', 'sys/mfa/validate', { mfa_request_id: id }), 400, /missing mfa_payload/);
      await expectStatus(validate(id, { [methodId]: [code('alice')] }), 200, 'still good after refused input');
    } finally {
      await unenforce('by-type');
    }
  });

  it('refuses an expired MFA request', async () => {
    nextPeriods();
    await enforce('by-type', { auth_method_types: ['userpass'] });
    try {
      const id = await firstPhase('bob', 'by-type');
      offset += 6 * 60_000;
      await expectError(validate(id, { [methodId]: [code('bob')] }), 403, /not found or expired/);
    } finally {
      await unenforce('by-type');
    }
  });

  it('limits failed attempts per entity and method: past max_validation_attempts even the right code is refused', async () => {
    nextPeriods();
    await enforce('by-entity', { identity_entity_ids: [entities.get('carol')] });
    try {
      const wrong = String((Number(code('carol')) + 500_000) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 3; i++) {
        // a new login each time: the limit holds across MFA requests, not per request
        const id = await firstPhase('carol', 'by-entity');
        await expectError(validate(id, { [methodId]: [wrong] }), 403, /failed to validate/);
      }
      const id = await firstPhase('carol', 'by-entity');
      await expectError(validate(id, { [methodId]: [code('carol')] }), 429, /maximum TOTP validation attempts \(3\)/);
      await expectError(loginRaw('carol', { 'X-Vault-MFA': `${methodId}:${code('carol')}` }), 429, /maximum TOTP validation attempts/);
      // another entity is not affected
      const bob = await expectStatus(loginRaw('bob'), 200);
      assert.match(bob.auth!.client_token, /^hvs\./, 'bob is not under this enforcement');
      offset += 5 * 60_000 + 1000;
      const later = await firstPhase('carol', 'by-entity');
      await expectStatus(validate(later, { [methodId]: [code('carol')] }), 200, 'after the window');
    } finally {
      await unenforce('by-entity');
    }
  });

  it('enforces by group (inherited membership too) and leaves other logins alone', async () => {
    nextPeriods();
    const parent = (await data('POST', 'identity/group', { name: 'mfa-parent' })).id as string;
    await expectStatus(t.root.raw('POST', 'identity/group', { name: 'mfa-child', member_entity_ids: [entities.get('bob')], }), 200);
    const child = (await data('GET', 'identity/group/name/mfa-child')).id as string;
    await expectStatus(t.root.raw('POST', `identity/group/id/${parent}`, { member_group_ids: [child] }), 204);
    await enforce('by-group', { identity_group_ids: [parent] });
    try {
      const id = await firstPhase('bob', 'by-group');
      await expectStatus(validate(id, { [methodId]: [code('bob')] }), 200);
      const alice = await expectStatus(loginRaw('alice'), 200);
      assert.match(alice.auth!.client_token, /^hvs\./);
    } finally {
      await unenforce('by-group');
    }
  });

  it('lets an entity generate its own secret once; admin-destroy lets it start over', async () => {
    const daveToken = (await login(t.anon, 'auth/userpass/login/dave', { password: 'pw-dave' })).client_token;
    await expectStatus(t.root.raw('PUT', 'sys/policies/acl/self-mfa', { policy: 'path "identity/mfa/method/totp/generate" { capabilities = ["update"] }' }), 204);
    await expectStatus(t.root.raw('POST', `identity/entity/id/${entities.get('dave')}`, { policies: ['self-mfa'] }), 204);
    const gen = (await expectStatus(t.client(daveToken).raw<Body>('POST', 'identity/mfa/method/totp/generate', { method_id: methodId }), 200)).data!;
    const totp = URI.parse(gen.url as string) as TOTP;
    const again = await expectStatus(t.client(daveToken).raw<Body>('POST', 'identity/mfa/method/totp/generate', { method_id: methodId }), 200);
    assert.equal(again.data ?? null, null);
    await expectStatus(t.root.raw('POST', 'identity/mfa/method/totp/admin-destroy', { entity_id: entities.get('dave'), method_id: methodId }), 204);
    const fresh = (await expectStatus(t.client(daveToken).raw<Body>('POST', 'identity/mfa/method/totp/generate', { method_id: methodId }), 200)).data!;
    assert.notEqual(fresh.url, gen.url);
    await enforce('by-entity', { identity_entity_ids: [entities.get('dave')] });
    try {
      const id = await firstPhase('dave', 'by-entity');
      await expectError(validate(id, { [methodId]: [totp.generate({ timestamp: now() })] }), 403, /failed to validate/);
      const now2 = (URI.parse(fresh.url as string) as TOTP).generate({ timestamp: now() });
      await expectStatus(validate(id, { [methodId]: [now2] }), 200);
    } finally {
      await unenforce('by-entity');
    }
  });

  it('refuses to delete a method an enforcement uses', async () => {
    await enforce('keep', { auth_method_types: ['jwt'] });
    await expectError(t.root.raw('DELETE', `identity/mfa/method/totp/${methodId}`), 400, /used by login enforcement "keep"/);
    await unenforce('keep');
  });

  it('keeps methods, enforcements and secrets across seal and unseal', async () => {
    nextPeriods();
    await enforce('durable', { auth_method_accessors: [accessor] });
    try {
      await expectStatus(t.root.raw('PUT', 'sys/seal'), 204);
      await expectStatus(t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey }), 200);
      const m = await data('GET', `identity/mfa/method/totp/${methodId}`);
      assert.equal(m.issuer, 'Coffer');
      const id = await firstPhase('alice', 'durable');
      await expectStatus(validate(id, { [methodId]: [code('alice')] }), 200, 'the stored secret still validates');
    } finally {
      await unenforce('durable');
    }
  });

  it('deletes a method with the entities’ secrets for it', async () => {
    const id = (await data('POST', 'identity/mfa/method/totp', { issuer: 'Gone' })).method_id as string;
    await data('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: entities.get('alice'), method_id: id });
    await expectStatus(t.root.raw('DELETE', `identity/mfa/method/totp/${id}`), 204);
    assert.equal((await t.root.raw('GET', `identity/mfa/method/totp/${id}`)).status, 404);
    await expectError(t.root.raw('POST', 'identity/mfa/method/totp/admin-generate', { entity_id: entities.get('alice'), method_id: id }), 400, /does not exist/);
    const keys = (await data('LIST', 'identity/mfa/method/totp')).keys as string[];
    assert.ok(!keys.includes(id));
  });
});
