/**
 * Random and malformed requests to every userpass and approle path: each must get a JSON
 * answer that is not a 5xx, and afterwards the real users and roles must still log in.
 * `FUZZ_SEED=<seed>` replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unicodeString, VISIBLE } from '../helpers/fuzz/alphabets.js';
import { Prng } from '../helpers/fuzz/prng.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { enable, login } from './helpers.js';

const FIELDS = [
  'password', 'password_hash', 'username', 'token_policies', 'policies', 'token_ttl', 'ttl', 'token_max_ttl', 'max_ttl', 'token_period', 'period',
  'token_bound_cidrs', 'bound_cidrs', 'token_num_uses', 'token_type', 'token_no_default_policy', 'token_explicit_max_ttl', 'role_id', 'secret_id',
  'secret_id_accessor', 'bind_secret_id', 'secret_id_bound_cidrs', 'bound_cidr_list', 'secret_id_num_uses', 'secret_id_ttl', 'local_secret_ids',
  'metadata', 'cidr_list', 'num_uses', 'after', 'limit', '__proto__', 'constructor',
];

const SUFFIXES = [
  '', 'policies', 'role-id', 'secret-id', 'secret-id/lookup', 'secret-id/destroy', 'secret-id-accessor/lookup', 'secret-id-accessor/destroy',
  'custom-secret-id', 'secret-id-num-uses', 'secret-id-ttl', 'token-ttl', 'token-max-ttl', 'token-num-uses', 'bind-secret-id',
  'secret-id-bound-cidrs', 'bound-cidr-list', 'token-bound-cidrs', 'period', 'local-secret-ids', 'password',
];

function value(r: Prng, depth = 0): unknown {
  return r.weighted<() => unknown>([
    [3, () => r.string(r.range(0, 12), VISIBLE)],
    [2, () => r.pick(['1h', '0', '-1', '10.0.0.0/8', '127.0.0.1', '::1/200', 'a,b,,c', 'batch', 'service', 'true', '{"a":"b"}', '{"a":{}}', 'x=y,z', ''])],
    [1, () => unicodeString(r, r.range(1, 8))],
    [2, () => r.pick([0, 1, -1, 1.5, 2 ** 53, 1e308, 5])],
    [1, () => r.chance(0.5)],
    [1, () => null],
    [1, () => (depth > 2 ? 'x' : Array.from({ length: r.range(0, 3) }, () => value(r, depth + 1)))],
    [1, () => (depth > 2 ? 'y' : Object.fromEntries(Array.from({ length: r.range(0, 3) }, () => [r.pick(FIELDS), value(r, depth + 1)])))],
  ])();
}

describe('auth methods under random input', () => {
  let t: TestServer;
  let roleId: string;
  let secretId: string;
  before(async () => {
    t = await startDevServer();
    await enable(t.root, 'userpass', 'userpass');
    await enable(t.root, 'approle', 'approle');
    await t.root.write('auth/userpass/users/keeper', { password: 'keeper-pw' });
    await t.root.write('auth/approle/role/keeper', {});
    roleId = (await t.root.read('auth/approle/role/keeper/role-id'))!.data!.role_id as string;
    secretId = (await t.root.write('auth/approle/role/keeper/secret-id', {}))!.data!.secret_id as string;
  });
  after(() => t.close());

  it('answers 1,500 random requests without a 5xx, and the real credentials still work', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = new Prng(seed);
    const names = ['fuzz', 'keeper', 'KEEPER', ' spaced ', 'a.b', '-x', 'x'.repeat(300), '%2e%2e', 'é', '%00', ''];
    for (let i = 0; i < 1500; i++) {
      const name = encodeURIComponent(r.pick(names)).replace(/%25/g, '%');
      const path = r.weighted<() => string>([
        [4, () => `auth/approle/role/${name}${r.chance(0.8) ? '/' + r.pick(SUFFIXES) : ''}`],
        [2, () => `auth/userpass/users/${name}${r.chance(0.3) ? '/' + r.pick(['password', 'policies']) : ''}`],
        [2, () => `auth/userpass/login/${name}`],
        [2, () => 'auth/approle/login'],
        [1, () => r.pick(['auth/approle/role', 'auth/userpass/users', 'auth/approle/tidy/secret-id', 'sys/locked-users'])],
      ])().replace(/\/$/, '');
      const method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'LIST', 'PATCH']);
      const body = Object.fromEntries(Array.from({ length: r.range(0, 5) }, () => [r.pick(FIELDS), value(r)]));
      if (r.chance(0.3)) body.role_id = roleId;
      // Credentials of the keepers are never sent: the fuzz must not lock them out or destroy them.
      if (/keeper/i.test(path) && method !== 'GET' && method !== 'LIST') continue;
      const client = r.chance(0.8) ? t.root : t.anon;
      const res = await client.raw(method as 'GET', path, method === 'GET' || method === 'LIST' ? undefined : body);
      assert.ok(res.status < 500, `seed ${seed}, request ${i}: ${method} ${path} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status >= 400) assert.ok(Array.isArray((res.body as { errors?: unknown })?.errors), `seed ${seed}: ${method} ${path} → ${res.status} without errors`);
    }
    await login(t.anon, 'auth/userpass/login/keeper', { password: 'keeper-pw' });
    await login(t.anon, 'auth/approle/login', { role_id: roleId, secret_id: secretId });
  });
});
