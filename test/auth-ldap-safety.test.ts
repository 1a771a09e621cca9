/**
 * The ldap auth method against the attacks its advisories name, on a real OpenLDAP:
 * filter and DN injection through the username (OpenBao's 2026 advisory), empty passwords
 * (an unauthenticated bind the directory would accept), telling unknown users from wrong
 * passwords, lockout bypass by case (CVE-2025-6004 class), and the service password's secrecy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'ldapts';
import { createApiClient, type ApiClient } from '../src/api/client.js';
import { createLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer, type RunningServer } from '../src/server/start-server.js';
import { ADMIN_DN, GROUPS_DN, PEOPLE_DN, startSlapd, USERS, type TestSlapd } from './helpers/slapd.js';
import { enable, expectError, expectStatus, login, median, type Body } from './auth/helpers.js';

const BIND_FAILED = /^ldap operation failed: failed to bind as user$/;

describe('ldap auth safety', () => {
  let server: RunningServer;
  let root: ApiClient;
  let anon: ApiClient;
  let ldap: TestSlapd;
  let accessor: string;
  const logLines: string[] = [];
  const auditFile = join(mkdtempSync(join(tmpdir(), 'coffer-ldap-audit-')), 'audit.log');

  before(async () => {
    ldap = await startSlapd({ logOperations: true });
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'trace' }, { rootTokenId: undefined }, createLogger({ level: 'trace', write: (l) => logLines.push(l) }));
    root = createApiClient({ address: server.address, token: server.dev!.rootToken });
    anon = createApiClient({ address: server.address });
    await expectStatus(root.raw('POST', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } }), 204);
    await enable(root, 'ldap', 'ldap');
    accessor = ((await root.read('sys/auth'))!.data!['ldap/'] as { accessor: string }).accessor;
    // A user whose name holds a filter wildcard, and a group his name would match unescaped.
    ldap.ldapModify([
      `dn: cn=ev*l,${PEOPLE_DN}`, 'objectClass: inetOrgPerson', 'cn: ev*l', 'sn: x', 'userPassword: evil-pw', '',
      `dn: cn=privileged,${GROUPS_DN}`, 'objectClass: posixGroup', 'cn: privileged', 'gidNumber: 6000', 'memberUid: evil', '',
    ].join('\n'));
    await expectStatus(root.raw('POST', 'auth/ldap/groups/privileged', { policies: 'privileged' }), 204);
  });
  after(async () => {
    await server?.close();
    await ldap?.stop();
  });

  const base = { url: '', userdn: PEOPLE_DN, groupdn: GROUPS_DN, discoverdn: false, binddn: '', bindpass: '', userattr: 'cn', deny_null_bind: true, case_sensitive_names: false };
  const configure = (fields: Record<string, unknown>) => expectStatus(root.raw('POST', 'auth/ldap/config', { ...base, url: ldap.url, ...fields }), 204, 'config');
  const attempt = (name: string, password: string | undefined) => anon.raw<Body>('POST', `auth/ldap/login/${encodeURIComponent(name)}`, password === undefined ? {} : { password });
  const modes = [
    { name: 'DN built from userattr and userdn', fields: {} },
    { name: 'DN found by a search (discoverdn, service account)', fields: { discoverdn: true, binddn: ADMIN_DN, bindpass: '' } },
  ];

  for (const mode of modes) {
    it(`never logs a crafted username in as someone else (${mode.name})`, async () => {
      await configure({ ...mode.fields, ...(mode.fields.binddn ? { bindpass: ldap.adminPassword } : {}) });
      const crafted = ['*', 'al*', 'a*e', '*)(cn=alice', 'alice)(|(cn=*', '*)(objectClass=*', 'alice\\', 'alice\u0000', 'alice,ou=people', 'carol,ou=contractors', 'alice+sn=alice', '"alice"', '<alice>', 'alice;', '#alice', 'cn=alice'];
      for (const name of crafted) {
        for (const password of [USERS.alice, USERS.carol]) {
          const body = await expectStatus(attempt(name, password), 400, `login as ${JSON.stringify(name)}`);
          // A NUL never gets past the request path's own check; every other name reaches the directory.
          const expected = name.includes('\u0000') ? /control characters are not allowed/ : BIND_FAILED;
          assert.ok(body.errors?.length === 1 && expected.test(body.errors[0]!), `${JSON.stringify(name)}: ${JSON.stringify(body.errors)}`);
        }
      }
      // Names with a comma or a wildcard are real names: their owners log in as themselves.
      const doe = await login(anon, `auth/ldap/login/${encodeURIComponent('doe, john')}`, { password: USERS['doe, john'] });
      assert.equal(doe.metadata?.username, 'doe, john');
      const evil = await login(anon, `auth/ldap/login/${encodeURIComponent('ev*l')}`, { password: 'evil-pw' });
      assert.ok(!evil.token_policies.includes('privileged'), 'groupfilter escaped: (memberUid=ev*l) would have matched "evil"');
      await root.raw('POST', `sys/locked-users/${accessor}/unlock/alice`);
    });
  }

  it('refuses an empty or missing password before the directory sees a bind, even with deny_null_bind off', async () => {
    await configure({});
    const before = ldap.binds().length;
    for (const deny of [true, false]) {
      await configure({ deny_null_bind: deny });
      for (const password of ['', undefined]) {
        await expectError(attempt('alice', password), 400, /password cannot be of zero length/);
      }
    }
    assert.equal(ldap.binds().length, before, 'no bind reached the directory');
    // What was refused: this directory (like Active Directory) takes a DN without a password as a successful anonymous bind.
    const direct = new Client({ url: ldap.url });
    await direct.bind(`cn=alice,${PEOPLE_DN}`, '');
    await direct.unbind();
    await configure({ deny_null_bind: true });
  });

  it('answers an unknown user and a wrong password alike: same message, one bind each, similar time', async () => {
    await configure({ discoverdn: true, binddn: ADMIN_DN, bindpass: ldap.adminPassword });
    const bindsOf = async (name: string) => {
      const before = ldap.binds().length;
      await expectError(attempt(name, 'wrong-password'), 400, BIND_FAILED);
      await new Promise((r) => setTimeout(r, 50)); // slapd writes its log line after answering
      return ldap.binds().slice(before).filter((b) => b.dn !== ADMIN_DN && b.dn !== '');
    };
    const unknownBinds = await bindsOf('nobody-here');
    const wrongBinds = await bindsOf('bob');
    assert.equal(unknownBinds.length, 1, 'an unknown user still costs one user bind');
    assert.equal(wrongBinds.length, 1);
    assert.equal(unknownBinds[0]!.result, 49);
    assert.equal(wrongBinds[0]!.result, 49);
    // Interleaved, so load on the machine falls on both alike; a gross difference only (the
    // bind counts above are the exact check).
    const unknownMs: number[] = [];
    const wrongMs: number[] = [];
    const timed = async (name: string, into: number[]) => {
      const start = process.hrtime.bigint();
      await attempt(name, 'wrong-password');
      into.push(Number(process.hrtime.bigint() - start) / 1e6);
    };
    // Lockout off meanwhile: twenty wrong passwords for bob must all reach the directory.
    const tune = (disable: boolean) => expectStatus(root.raw('POST', 'sys/auth/ldap/tune', { user_lockout_config: { lockout_disable: disable } }), 204);
    await tune(true);
    try {
      for (let i = 0; i < 20; i++) {
        await timed('nobody-at-all', unknownMs);
        await timed('bob', wrongMs);
      }
    } finally {
      await tune(false);
      for (const name of ['nobody-here', 'bob']) await root.raw('POST', `sys/locked-users/${accessor}/unlock/${name}`);
    }
    const [unknown, wrong] = [median(unknownMs), median(wrongMs)];
    assert.ok((unknown < wrong * 3 && wrong < unknown * 3) || Math.abs(unknown - wrong) < 5, `medians ${unknown.toFixed(2)} vs ${wrong.toFixed(2)} ms`);
  });

  it('locks a user after five failures spelled in any case or with spaces, and refuses even the right password alike', async () => {
    await configure({});
    for (const spelling of ['alice', 'ALICE', ' Alice', 'alice ', 'aLiCe']) await expectError(attempt(spelling, 'wrong'), 400, BIND_FAILED);
    await expectError(attempt('alice', USERS.alice), 400, BIND_FAILED);
    await expectError(attempt('Alice', USERS.alice), 400, BIND_FAILED);
    const list = (await root.raw<{ data: { by_namespace: { mount_accessors: { mount_accessor: string; alias_identifiers: string[] }[] }[] } }>('GET', `sys/locked-users?mount_accessor=${accessor}`)).body!.data;
    assert.deepEqual(list.by_namespace[0]!.mount_accessors[0]!.alias_identifiers, ['alice']);
    await expectStatus(root.raw('POST', `sys/locked-users/${accessor}/unlock/alice`), 204);
    await login(anon, 'auth/ldap/login/alice', { password: USERS.alice });
  });

  it('keeps bindpass and user passwords out of reads, server logs and the audit log', async () => {
    await configure({ discoverdn: true, binddn: ADMIN_DN, bindpass: ldap.adminPassword });
    await login(anon, 'auth/ldap/login/bob', { password: USERS.bob });
    await expectError(attempt('bob', 'a-wrong-secret-guess'), 400, BIND_FAILED);
    // a service bind that fails is logged, without the password
    await configure({ discoverdn: true, binddn: ADMIN_DN, bindpass: 'not-the-admin-password' });
    await expectError(attempt('bob', USERS.bob), 400, /LDAP bind \(service\) failed/);
    const read = JSON.stringify((await root.read('auth/ldap/config'))!.data);
    const logs = logLines.join('\n');
    const audit = readFileSync(auditFile, 'utf8');
    assert.match(logs, /ldap login failed/);
    assert.match(audit, /auth\/ldap\/login\/bob/);
    for (const secret of [ldap.adminPassword, 'not-the-admin-password', USERS.bob, 'a-wrong-secret-guess']) {
      assert.ok(!read.includes(secret), 'secret in the config read');
      assert.ok(!logs.includes(secret), 'secret in the server log');
      assert.ok(!audit.includes(secret), 'secret in the audit log');
    }
  });
});
