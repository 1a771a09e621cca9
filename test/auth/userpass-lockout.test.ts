/**
 * Userpass against password guessing: user lockout (with sys/locked-users), one answer and
 * one cost for every kind of failure, and failed logins audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditDevice, AuditEvent } from '../../src/core/audit/audit-broker.js';
import { isCofferError } from '../../src/errors.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { enable, expectError, expectStatus, login, median, type Body } from './helpers.js';

const INVALID = /^invalid username or password$/;

type Locked = { total: number; by_namespace: { namespace_id: string; counts: number; mount_accessors: { mount_accessor: string; counts: number; alias_identifiers: string[] }[] }[] };

describe('userpass lockout, timing and audit', () => {
  let t: TestServer;
  let accessor: string;
  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'userpass', 'userpass');
    accessor = ((await t.root.read('sys/auth'))!.data!['userpass/'] as { accessor: string }).accessor;
    await t.root.write('auth/userpass/users/alice', { password: 'right' });
    await t.root.write('auth/userpass/users/carol', { password: 'right' });
  });
  after(() => t.close());

  const attempt = (name: string, password: string) => t.anon.raw<Body>('POST', `auth/userpass/login/${encodeURIComponent(name)}`, { password });
  const locked = async (mount = accessor) => (await t.root.raw<{ data: Locked }>('GET', `sys/locked-users?mount_accessor=${mount}`)).body!.data;

  it('locks a user after five failures, spelled in any case or with spaces, and refuses even the right password alike', async () => {
    for (const spelling of ['alice', 'ALICE', ' Alice', 'alice ', 'aLiCe']) await expectError(attempt(spelling, 'wrong'), 400, INVALID);
    await expectError(attempt('alice', 'right'), 400, INVALID);
    const list = await locked();
    assert.equal(list.total, 1);
    assert.deepEqual(list.by_namespace[0]!.mount_accessors, [{ mount_accessor: accessor, counts: 1, alias_identifiers: ['alice'] }]);
    // Unlock by the name as the admin types it.
    await expectStatus(t.root.raw('POST', `sys/locked-users/${accessor}/unlock/Alice`), 204);
    assert.equal((await locked()).total, 0);
    await login(t.anon, 'auth/userpass/login/alice', { password: 'right' });
  });

  it('locks unknown usernames too, so a lock tells nothing about who exists', async () => {
    for (let i = 0; i < 5; i++) await expectError(attempt('nobody', 'x'), 400, INVALID);
    assert.deepEqual((await locked()).by_namespace[0]!.mount_accessors[0]!.alias_identifiers, ['nobody']);
    await t.root.write(`sys/locked-users/${accessor}/unlock/nobody`);
  });

  it('resets the count after a successful login', async () => {
    for (let i = 0; i < 4; i++) await expectError(attempt('carol', 'wrong'), 400, INVALID);
    await login(t.anon, 'auth/userpass/login/carol', { password: 'right' });
    for (let i = 0; i < 4; i++) await expectError(attempt('carol', 'wrong'), 400, INVALID);
    await login(t.anon, 'auth/userpass/login/carol', { password: 'right' });
  });

  it('follows the mount’s tuned user_lockout_config, which tune reads back', async () => {
    await enable(t.root, 'up-tuned', 'userpass');
    await t.root.write('auth/up-tuned/users/dave', { password: 'right' });
    await expectStatus(t.root.raw('POST', 'sys/auth/up-tuned/tune', { user_lockout_config: { lockout_threshold: '2', lockout_duration: '1s', lockout_counter_reset: '1m' } }), 204);
    const tune = (await t.root.read('sys/auth/up-tuned/tune'))!.data!;
    assert.equal(tune.user_lockout_threshold, 2);
    assert.equal(tune.user_lockout_duration, 1);
    assert.equal(tune.user_lockout_counter_reset_duration, 60);
    assert.equal(tune.user_lockout_disable, false);
    const up = (p: Record<string, string>) => t.anon.raw<Body>('POST', 'auth/up-tuned/login/dave', p);
    await expectError(up({ password: 'x' }), 400, INVALID);
    await expectError(up({ password: 'x' }), 400, INVALID);
    await expectError(up({ password: 'right' }), 400, INVALID);
    await new Promise((r) => setTimeout(r, 1100));
    await expectStatus(up({ password: 'right' }), 200, 'the lock lasted its duration');

    await expectStatus(t.root.raw('POST', 'sys/auth/up-tuned/tune', { user_lockout_config: { lockout_disable: true } }), 204);
    for (let i = 0; i < 3; i++) await expectError(up({ password: 'x' }), 400, INVALID);
    await expectStatus(up({ password: 'right' }), 200, 'lockout disabled');

    await expectError(t.root.raw('POST', 'sys/auth/up-tuned/tune', { user_lockout_config: { lockout_threshold: 'lots' } }), 400, /lockout_threshold/);
    await expectError(t.root.raw('POST', 'sys/auth/token/tune', { user_lockout_config: { lockout_threshold: 3 } }), 400, /not supported/);
    await expectError(t.root.raw('POST', 'sys/locked-users/auth_nope_1/unlock/x'), 400, /no auth mount/);
  });

  it('keeps a lock across a seal and unseal', async () => {
    for (let i = 0; i < 5; i++) await expectError(attempt('carol', 'wrong'), 400, INVALID);
    await expectStatus(t.root.raw('PUT', 'sys/seal'), 204);
    await expectStatus(t.anon.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey }), 200);
    await expectError(attempt('carol', 'right'), 400, INVALID);
    assert.deepEqual((await locked()).by_namespace[0]!.mount_accessors[0]!.alias_identifiers, ['carol']);
    await t.root.write(`sys/locked-users/${accessor}/unlock/carol`);
    await login(t.anon, 'auth/userpass/login/carol', { password: 'right' });
  });

  it('takes as long for an unknown user as for a wrong password', async () => {
    // Lockout off so neither kind of failure stops being hashed; samples alternate so load hits both.
    await expectStatus(t.root.raw('POST', 'sys/auth/userpass/tune', { user_lockout_config: { lockout_disable: true } }), 204);
    const time = async (name: string) => {
      const start = process.hrtime.bigint();
      await expectError(attempt(name, 'wrong-password'), 400, INVALID);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 9; i++) {
      unknown.push(await time(`ghost-${i}`));
      wrong.push(await time('alice'));
    }
    const [u, w] = [median(unknown), median(wrong)];
    // Both are one scrypt hash (tens of ms); a skipped hash would be a 10× gap. Loose on purpose.
    assert.ok(u > w / 2.5 && u < w * 2.5, `medians: unknown user ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms`);
    assert.ok(w > 10, `a wrong password took only ${w.toFixed(1)} ms: is the hash being skipped?`);
    await t.root.write('sys/auth/userpass/tune', { user_lockout_config: { lockout_disable: false } });
  });

  it('audits failed logins as 400 answers through the normal path', async () => {
    const events: AuditEvent[] = [];
    const device: AuditDevice = {
      path: 'capture/',
      logRequest: async (e) => void events.push(e),
      logResponse: async (e) => void events.push(e),
    };
    t.server.core.audit.register(device);
    try {
      await expectError(attempt('alice', 'nope'), 400, INVALID);
    } finally {
      t.server.core.audit.unregister(device.path);
    }
    const forLogin = events.filter((e) => e.request.path === 'auth/userpass/login/alice');
    assert.equal(forLogin.length, 2, 'request and response');
    const failure = forLogin[1]!.error;
    assert.ok(isCofferError(failure) && failure.status === 400 && failure.messages[0] === 'invalid username or password');
  });
});
