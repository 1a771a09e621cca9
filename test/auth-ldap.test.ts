/**
 * The ldap auth method against a real OpenLDAP (test/helpers/slapd.ts): logins over plain
 * LDAP, StartTLS and LDAPS, failover, the ways of finding a user (DN from userattr, discoverdn,
 * upndomain) and their groups (group search, memberOf, nested), policy mapping and identity.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { freePort } from './helpers/process-server.js';
import { ADMIN_DN, GROUPS_DN, PEOPLE_DN, startSlapd, USERS, type TestSlapd } from './helpers/slapd.js';
import type { HttpMethod } from '../src/api/client.js';
import { enable, expectError, expectStatus, login, type Body } from './auth/helpers.js';

type Data = Record<string, unknown>;

describe('ldap auth against OpenLDAP', () => {
  let t: TestServer;
  let ldap: TestSlapd;
  let accessor: string;
  before(async () => {
    [t, ldap] = await Promise.all([startDevServer(), startSlapd()]);
    await enable(t.root, 'ldap', 'ldap');
    accessor = ((await t.root.read('sys/auth'))!.data!['ldap/'] as { accessor: string }).accessor;
  });
  after(async () => {
    await t?.close();
    await ldap?.stop();
  });

  const configure = async (fields: Data, mount = 'ldap') => expectStatus(t.root.raw<Body>('POST', `auth/${mount}/config`, fields), 204, 'config write');
  const loginAs = (user: string, password: string, mount = 'ldap') => login(t.anon, `auth/${mount}/login/${encodeURIComponent(user)}`, { password });
  const data = async (method: HttpMethod, path: string, body?: Data) => (await expectStatus(t.root.raw<Body>(method, path, body), 200, `${method} ${path}`)).data!;
  const plain = () => ({ url: ldap.url, userdn: PEOPLE_DN, groupdn: GROUPS_DN, starttls: false, insecure_tls: false, certificate: '', discoverdn: false, binddn: '', bindpass: '', upndomain: '', userattr: 'cn', username_as_alias: false, token_policies: '', groupattr: 'cn', groupfilter: '(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))' });

  it('reads back Vault’s defaults before any config, and the written config without bindpass', async () => {
    const defaults = await data('GET', 'auth/ldap/config');
    assert.equal(defaults.userattr, 'cn');
    assert.equal(defaults.userfilter, '({{.UserAttr}}={{.Username}})');
    assert.equal(defaults.groupfilter, '(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))');
    assert.equal(defaults.groupattr, 'cn');
    assert.equal(defaults.deny_null_bind, true);
    assert.equal(defaults.request_timeout, 90);
    assert.equal(defaults.connection_timeout, 30);
    assert.equal(defaults.dereference_aliases, 'never');
    await configure({ ...plain(), binddn: ADMIN_DN, bindpass: ldap.adminPassword, token_policies: 'base', token_ttl: '1h' });
    const read = await data('GET', 'auth/ldap/config');
    assert.equal(read.url, ldap.url);
    assert.equal(read.binddn, ADMIN_DN);
    assert.ok(!('bindpass' in read) && !('client_tls_key' in read), 'bindpass and client_tls_key are never returned');
    assert.ok(!JSON.stringify(read).includes(ldap.adminPassword));
    assert.deepEqual(read.token_policies, ['base']);
    assert.equal(read.token_ttl, 3600);
  });

  it('logs in with the directory password; a wrong one is refused', async () => {
    await configure({ ...plain(), token_policies: 'base' });
    const auth = await loginAs('alice', USERS.alice);
    assert.deepEqual(auth.token_policies, ['base', 'default']);
    assert.equal(auth.metadata?.username, 'alice');
    assert.equal(auth.lease_duration, 3600);
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: 'wrong' }), 400, /^ldap operation failed: failed to bind as user$/);
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: USERS.bob }), 400, /failed to bind as user/);
  });

  it('maps LDAP groups found by the default group search, and the user’s own groups and policies, to policies', async () => {
    await configure(plain());
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/devs', { policies: 'dev-read,dev-write' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/OPS', { policies: ['ops'] }), 204);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/admins', { policies: 'admin' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/local-team', { policies: 'local' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/ldap/users/Bob', { groups: 'local-team', policies: 'bob-own' }), 204);
    assert.deepEqual(await data('GET', 'auth/ldap/groups/ops'), { policies: ['ops'] });
    assert.deepEqual(await data('GET', 'auth/ldap/users/bob'), { groups: ['local-team'], policies: ['bob-own'] });
    assert.deepEqual(((await data('LIST', 'auth/ldap/groups')).keys as string[]).sort(), ['admins', 'devs', 'local-team', 'ops']);
    assert.deepEqual((await data('LIST', 'auth/ldap/users')).keys, ['bob']);

    // alice: devs through member=<her DN>, ops through memberUid=alice (posixGroup); not engineering (no nesting in this filter)
    const alice = await loginAs('alice', USERS.alice);
    assert.deepEqual(alice.token_policies, ['default', 'dev-read', 'dev-write', 'ops']);
    const bob = await loginAs('BOB', USERS.bob);
    assert.deepEqual(bob.token_policies, ['admin', 'bob-own', 'default', 'local']);
    assert.equal(bob.metadata?.username, 'bob');
  });

  it('takes groups from the user’s memberOf, nested groups included (OpenLDAP dynlist), and maps them', async () => {
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/engineering', { policies: 'eng' }), 204);
    await configure({ ...plain(), groupdn: PEOPLE_DN, groupfilter: '(&(objectClass=inetOrgPerson)(cn={{.Username}}))', groupattr: 'memberOf' });
    const alice = await loginAs('alice', USERS.alice);
    // devs directly, engineering because devs is one of its members; ops is a posixGroup (no memberOf)
    assert.deepEqual(alice.token_policies, ['default', 'dev-read', 'dev-write', 'eng']);
  });

  it('discovers the DN with a search (discoverdn, userattr uid) and refuses a name with two entries', async () => {
    await configure({ ...plain(), discoverdn: true, userattr: 'uid', binddn: ADMIN_DN, bindpass: ldap.adminPassword });
    const alice = await loginAs('alice', USERS.alice);
    assert.ok(alice.token_policies.includes('dev-read'));
    // two entries have uid=carol: Vault's "0 or not unique", answered as a failed bind
    await expectError(t.anon.raw('POST', 'auth/ldap/login/carol', { password: USERS.carol }), 400, /^ldap operation failed: failed to bind as user$/);
  });

  it('logs in through upndomain (userPrincipalName search, as on Active Directory)', async () => {
    await configure({ ...plain(), upndomain: 'example.org', discoverdn: true, userattr: 'cn' });
    const alice = await loginAs('alice', USERS.alice);
    assert.ok(alice.token_policies.includes('dev-read'), 'groups found under the DN the UPN search returned');
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: 'nope' }), 400, /failed to bind as user/);
    await expectError(t.anon.raw('POST', 'auth/ldap/login/carol', { password: USERS.carol }), 400, /failed to bind as user/);
  });

  it('logs in over StartTLS and LDAPS with the CA in certificate, and refuses an unverified server', async () => {
    await configure({ ...plain(), url: ldap.url, starttls: true, certificate: ldap.caPem });
    await loginAs('alice', USERS.alice);
    await configure({ ...plain(), url: ldap.ldapsUrl, certificate: ldap.caPem });
    await loginAs('alice', USERS.alice);
    // no CA: the test CA is unknown, so the TLS handshake fails and nobody logs in
    await configure({ ...plain(), url: ldap.ldapsUrl, certificate: '' });
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: USERS.alice }), 400, /failed to connect to LDAP server/);
    await configure({ ...plain(), url: ldap.url, starttls: true, certificate: '' });
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: USERS.alice }), 400, /failed to connect to LDAP server/);
    // insecure_tls skips verification (Vault's meaning), over LDAPS and StartTLS
    await configure({ ...plain(), url: ldap.ldapsUrl, insecure_tls: true });
    await loginAs('alice', USERS.alice);
    await configure({ ...plain(), url: ldap.url, starttls: true, insecure_tls: true });
    await loginAs('alice', USERS.alice);
  });

  it('fails over to the next url when the first server is down', async () => {
    const dead = `ldap://127.0.0.1:${await freePort()}`;
    await configure({ ...plain(), url: `${dead},${ldap.url}`, connection_timeout: '2s' });
    await loginAs('alice', USERS.alice);
    await configure({ ...plain(), url: dead });
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: USERS.alice }), 400, /failed to connect to LDAP server/);
  });

  it('creates an entity alias and joins the external groups named by the LDAP groups', async () => {
    await configure({ ...plain(), discoverdn: true, userattr: 'cn', username_as_alias: false });
    const ext = await data('POST', 'identity/group', { name: 'ldap-devs', type: 'external', policies: ['ext-devs'] });
    await data('POST', 'identity/group-alias', { name: 'devs', mount_accessor: accessor, canonical_id: ext.id });
    const alice = await loginAs('alice', USERS.alice);
    assert.deepEqual(alice.identity_policies, ['ext-devs']);
    const entity = await data('GET', `identity/entity/id/${alice.entity_id}`);
    const aliases = entity.aliases as Data[];
    assert.equal(aliases.length, 1);
    assert.equal(aliases[0]!.mount_accessor, accessor);
    assert.equal(aliases[0]!.name, 'alice', 'the userattr value of the entry found');
    assert.deepEqual((await data('GET', `identity/group/id/${ext.id}`)).member_entity_ids, [alice.entity_id]);
    const again = await loginAs('Alice', USERS.alice);
    assert.equal(again.entity_id, alice.entity_id, 'one entity whatever the case of the name');
  });

  it('names the alias after the username with username_as_alias, and after the bind DN without a search (as Vault)', async () => {
    await enable(t.root, 'ldap2', 'ldap');
    await configure({ ...plain(), username_as_alias: true }, 'ldap2');
    const a = await loginAs('bob', USERS.bob, 'ldap2');
    assert.equal(((await data('GET', `identity/entity/id/${a.entity_id}`)).aliases as Data[]).find((x) => x.mount_path === 'auth/ldap2/')!.name, 'bob');
    await enable(t.root, 'ldap3', 'ldap');
    await configure(plain(), 'ldap3');
    const b = await loginAs('bob', USERS.bob, 'ldap3');
    assert.equal(((await data('GET', `identity/entity/id/${b.entity_id}`)).aliases as Data[]).find((x) => x.mount_path === 'auth/ldap3/')!.name, `cn=bob,${PEOPLE_DN}`);
  });

  it('refuses bad config with a 400 naming the problem and keeps the old config', async () => {
    await configure(plain());
    const before = await data('GET', 'auth/ldap/config');
    await expectError(t.root.raw('POST', 'auth/ldap/config', { url: 'http://x' }), 400, /invalid LDAP scheme/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { userfilter: '({{.Password}})' }), 400, /invalid userfilter: unknown placeholder/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { groupfilter: '({{ template "x" }})' }), 400, /invalid groupfilter/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { groupfilter: '(member={{.UserDN}}' }), 400, /invalid groupfilter: not an LDAP filter/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { certificate: 'not a pem' }), 400, /failed to parse server tls cert/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { client_tls_cert: ldap.caPem }), 400, /both client_tls_cert and client_tls_key/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { dereference_aliases: 'sometimes' }), 400, /dereference_aliases/);
    await expectError(t.root.raw('POST', 'auth/ldap/config', { token_policies: 'root' }), 400, /root/);
    assert.deepEqual(await data('GET', 'auth/ldap/config'), before);
    // Active Directory's nested-group filter (LDAP_MATCHING_RULE_IN_CHAIN) is a valid template
    const ad = '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:={{.UserDN}}))';
    await configure({ ...plain(), groupfilter: ad, use_token_groups: false });
    assert.equal((await data('GET', 'auth/ldap/config')).groupfilter, ad);
    await configure(plain());
  });

  it('answers a login on an unconfigured mount with a 400', async () => {
    await enable(t.root, 'ldap-empty', 'ldap');
    await expectError(t.anon.raw('POST', 'auth/ldap-empty/login/alice', { password: 'x' }), 400, /not configured/);
  });
});

describe('ldap auth options', () => {
  let t: TestServer;
  let ldap: TestSlapd;
  before(async () => {
    [t, ldap] = await Promise.all([startDevServer(), startSlapd()]);
    await enable(t.root, 'ldap', 'ldap');
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/devs', { policies: 'dev' }), 204);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/ops', { policies: 'ops' }), 204);
  });
  after(async () => {
    await t?.close();
    await ldap?.stop();
  });
  const configure = (fields: Data) => expectStatus(t.root.raw<Body>('POST', 'auth/ldap/config', { url: ldap.url, userdn: PEOPLE_DN, groupdn: GROUPS_DN, ...fields }), 204, 'config write');

  it('pages the group search with max_page_size and searches groups anonymously with anonymous_group_search', async () => {
    await configure({ max_page_size: 1, discoverdn: true, binddn: ADMIN_DN, bindpass: ldap.adminPassword });
    assert.deepEqual((await login(t.anon, 'auth/ldap/login/alice', { password: USERS.alice })).token_policies, ['default', 'dev', 'ops']);
    await configure({ max_page_size: 0, anonymous_group_search: true });
    assert.deepEqual((await login(t.anon, 'auth/ldap/login/alice', { password: USERS.alice })).token_policies, ['default', 'dev', 'ops']);
  });

  it('matches group names case-sensitively only with case_sensitive_names', async () => {
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/Admins', { policies: 'admin' }), 204);
    await configure({ anonymous_group_search: false });
    assert.deepEqual((await login(t.anon, 'auth/ldap/login/bob', { password: USERS.bob })).token_policies, ['admin', 'default']);
    await configure({ case_sensitive_names: true });
    await expectStatus(t.root.raw('DELETE', 'auth/ldap/groups/admins'), 204);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/Admins', { policies: 'admin-cs' }), 204);
    assert.deepEqual((await expectStatus(t.root.raw<Body>('LIST', 'auth/ldap/groups'), 200)).data!.keys, ['Admins', 'devs', 'ops']);
    // the directory says "admins"; only a group written as "admins" matches now
    assert.deepEqual((await login(t.anon, 'auth/ldap/login/bob', { password: USERS.bob })).token_policies, ['default']);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/admins', { policies: 'admin-exact' }), 204);
    assert.deepEqual((await login(t.anon, 'auth/ldap/login/bob', { password: USERS.bob })).token_policies, ['admin-exact', 'default']);
    await configure({ case_sensitive_names: false });
  });

  it('renews a login token only while the directory still accepts the user and the policies are the same', async () => {
    await configure({ token_ttl: '10m', token_max_ttl: '1h', case_sensitive_names: false });
    const renew = (token: string) => t.client(token).raw<Body>('POST', 'auth/token/renew-self', { increment: '20m' });
    const auth = await login(t.anon, 'auth/ldap/login/alice', { password: USERS.alice });
    const renewed = await expectStatus(renew(auth.client_token), 200, 'renew');
    assert.equal(renewed.auth!.lease_duration, 1200);
    const self = await expectStatus(t.client(auth.client_token).raw<Body>('GET', 'auth/token/lookup-self'), 200);
    assert.doesNotMatch(JSON.stringify(self), new RegExp(USERS.alice), 'the kept password is never answered');

    // A group now maps to other policies: the token no longer matches what a login would give.
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/ops', { policies: 'ops,extra' }), 204);
    await expectError(renew(auth.client_token), 400, /policies have changed/);
    await expectStatus(t.root.raw('POST', 'auth/ldap/groups/ops', { policies: 'ops' }), 204);

    // The password was changed in the directory: the renewal's bind fails.
    const fresh = await login(t.anon, 'auth/ldap/login/alice', { password: USERS.alice });
    const setPassword = (pw: string) => ldap.ldapModify(`dn: cn=alice,${PEOPLE_DN}\nchangetype: modify\nreplace: userPassword\nuserPassword: ${pw}\n`);
    setPassword('changed-pw');
    try {
      await expectError(renew(fresh.client_token), 400, /directory refused the renewal/);
    } finally {
      setPassword(USERS.alice);
    }
    await expectStatus(renew(fresh.client_token), 200, 'renews again with the old password back');
  });
});

describe('ldap auth over TLS with client certificates, and a directory that never answers', () => {
  let t: TestServer;
  let ldap: TestSlapd;
  before(async () => {
    [t, ldap] = await Promise.all([startDevServer(), startSlapd({ requireClientCert: true })]);
    await enable(t.root, 'ldap', 'ldap');
  });
  after(async () => {
    await t?.close();
    await ldap?.stop();
  });
  const configure = (fields: Data) => expectStatus(t.root.raw<Body>('POST', 'auth/ldap/config', { userdn: PEOPLE_DN, groupdn: GROUPS_DN, certificate: ldap.caPem, ...fields }), 204, 'config write');

  it('presents client_tls_cert and client_tls_key to a directory that demands a client certificate', async () => {
    await configure({ url: ldap.ldapsUrl });
    await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: USERS.alice }), 400, /failed to connect to LDAP server/);
    await configure({ url: ldap.ldapsUrl, client_tls_cert: ldap.clientCert, client_tls_key: ldap.clientKey });
    await login(t.anon, 'auth/ldap/login/alice', { password: USERS.alice });
    await configure({ url: ldap.url, starttls: true });
    await login(t.anon, 'auth/ldap/login/alice', { password: USERS.alice });
    const read = (await t.root.read('auth/ldap/config'))!.data!;
    assert.equal(read.client_tls_cert, ldap.clientCert);
    assert.ok(!('client_tls_key' in read) && !JSON.stringify(read).includes('PRIVATE KEY'), 'the client key is never returned');
  });

  it('gives up on a directory that accepts connections but never answers after request_timeout, with a 400', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      await configure({ url: `ldap://127.0.0.1:${port}`, starttls: false, request_timeout: '1s' });
      const t0 = Date.now();
      await expectError(t.anon.raw('POST', 'auth/ldap/login/alice', { password: USERS.alice }), 400, /ldap operation failed/);
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
