/**
 * AppRole secret ids under attack: used past num_uses (also by racing logins), past their TTL,
 * from outside their CIDRs, and through another role's accessor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { enable, expectError, expectStatus, login, type Body } from './helpers.js';

const INVALID = /^invalid role or secret ID$/;

describe('approle secret ids', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'approle', 'approle');
  });
  after(() => t.close());

  const ar = (path: string) => `auth/approle/${path}`;
  async function role(name: string, body: Record<string, unknown> = {}): Promise<string> {
    await expectStatus(t.root.raw('POST', ar(`role/${name}`), body), 204, `role ${name}`);
    return (await t.root.read(ar(`role/${name}/role-id`)))!.data!.role_id as string;
  }
  const secretId = async (name: string, body: Record<string, unknown> = {}) =>
    (await expectStatus(t.root.raw<Body>('POST', ar(`role/${name}/secret-id`), body), 200)).data as { secret_id: string; secret_id_accessor: string };
  const attempt = (roleId: string, secret: string) => t.anon.raw<Body>('POST', ar('login'), { role_id: roleId, secret_id: secret });

  it('refuses a secret id used past its num_uses, and forgets it after the last use', async () => {
    const rid = await role('limited');
    const sid = await secretId('limited', { num_uses: 2 });
    await login(t.anon, ar('login'), { role_id: rid, secret_id: sid.secret_id });
    await login(t.anon, ar('login'), { role_id: rid, secret_id: sid.secret_id });
    await expectError(attempt(rid, sid.secret_id), 400, INVALID);
    await expectStatus(t.root.raw('POST', ar('role/limited/secret-id-accessor/lookup'), { secret_id_accessor: sid.secret_id_accessor }), 404);
  });

  it('lets exactly one of many racing logins spend a single-use secret id', async () => {
    const rid = await role('race');
    for (let round = 0; round < 3; round++) {
      const sid = await secretId('race', { num_uses: 1 });
      const results = await Promise.all(Array.from({ length: 8 }, () => attempt(rid, sid.secret_id)));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400, 400, 400, 400, 400, 400], `round ${round}`);
    }
    const sid = await secretId('race', { num_uses: 3 });
    const results = await Promise.all(Array.from({ length: 8 }, () => attempt(rid, sid.secret_id)));
    assert.equal(results.filter((r) => r.status === 200).length, 3);
  });

  it('refuses an expired secret id at once, and tidy removes expired ones', async () => {
    const rid = await role('short', { secret_id_ttl: '1s' });
    const a = await secretId('short');
    const b = await secretId('short');
    await new Promise((r) => setTimeout(r, 1100));
    await expectError(attempt(rid, a.secret_id), 400, INVALID);
    await expectStatus(t.root.raw('POST', ar('role/short/secret-id/lookup'), { secret_id: a.secret_id }), 204, 'refused and removed');
    const tidy = await expectStatus(t.root.raw<Body>('POST', ar('tidy/secret-id')), 202);
    assert.match(tidy.warnings![0]!, /Tidy operation successfully started/);
    for (let i = 0; i < 50 && (await t.root.raw('LIST', ar('role/short/secret-id'))).status !== 404; i++) await new Promise((r) => setTimeout(r, 20));
    await expectStatus(t.root.raw('POST', ar('role/short/secret-id-accessor/lookup'), { secret_id_accessor: b.secret_id_accessor }), 404);
  });

  it('checks a secret id’s cidr_list and the role’s secret_id_bound_cidrs against the real remote address, without spending a use', async () => {
    const rid = await role('fenced');
    const outside = await secretId('fenced', { cidr_list: '10.0.0.0/8', num_uses: 1 });
    await expectError(attempt(rid, outside.secret_id), 400, /unauthorized through CIDR restrictions on the secret ID/);
    const left = (await t.root.write(ar('role/fenced/secret-id/lookup'), { secret_id: outside.secret_id }))!.data!;
    assert.equal(left.secret_id_num_uses, 1, 'a refused login spends nothing');
    const inside = await secretId('fenced', { cidr_list: '127.0.0.1/32,::1' });
    await login(t.anon, ar('login'), { role_id: rid, secret_id: inside.secret_id });

    const rid2 = await role('fenced-role', { secret_id_bound_cidrs: '10.0.0.0/8' });
    const s2 = await secretId('fenced-role');
    await expectError(attempt(rid2, s2.secret_id), 400, /unauthorized by CIDR restrictions on the role/);
    await expectError(t.root.raw('POST', ar('role/fenced-role/secret-id'), { cidr_list: '127.0.0.1' }), 400, /within the role's secret_id_bound_cidrs/);
    // Narrowing the role afterwards also shuts out secret ids issued for the wider range.
    const rid3 = await role('narrowed', { secret_id_bound_cidrs: '127.0.0.0/8,::1/128' });
    const s3 = await secretId('narrowed', { cidr_list: '127.0.0.1/32' });
    await login(t.anon, ar('login'), { role_id: rid3, secret_id: s3.secret_id });
    await t.root.write(ar('role/narrowed/secret-id-bound-cidrs'), { secret_id_bound_cidrs: '10.0.0.0/8' });
    await expectError(attempt(rid3, s3.secret_id), 400, /no longer within/);
  });

  it('never lets one role look up or destroy another role’s secret id by its accessor', async () => {
    const ridA = await role('team-a');
    const ridB = await role('team-b');
    const b = await secretId('team-b');
    await expectError(t.root.raw('POST', ar('role/team-a/secret-id-accessor/lookup'), { secret_id_accessor: b.secret_id_accessor }), 404, /no secret id of role "team-a"/);
    await expectError(t.root.raw('POST', ar('role/team-a/secret-id-accessor/destroy'), { secret_id_accessor: b.secret_id_accessor }), 404, /no secret id of role "team-a"/);
    await expectStatus(t.root.raw('POST', ar('role/team-a/secret-id/destroy'), { secret_id: b.secret_id }), 204);
    // Nothing of team-b's secret id was touched.
    assert.equal((await t.root.write(ar('role/team-b/secret-id-accessor/lookup'), { secret_id_accessor: b.secret_id_accessor }))!.data!.secret_id_accessor, b.secret_id_accessor);
    await login(t.anon, ar('login'), { role_id: ridB, secret_id: b.secret_id });
    // And a secret id only logs in with its own role's id.
    await expectError(attempt(ridA, b.secret_id), 400, INVALID);
  });
});
