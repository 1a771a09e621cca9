/**
 * Security invariant: auth credentials are never stored as given. Userpass passwords are
 * kept only as salted scrypt hashes; AppRole secret ids and role ids only as HMACs under the
 * mount's salt (the role's own entry names its role id, as a token names its accessor, and so
 * does the identity entity its logins map to: Vault's alias name for AppRole is the role id,
 * and identity/entity-alias shows it). Checked
 * above the barrier, where the values are plaintext to the server, and in the physical store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { allPhysicalKeys } from './helpers.js';

const PASSWORD = 'userpass-password-marker';
const SECRET_ID = 'approle-secret-id-marker';
const ROLE_ID = 'approle-role-id-marker';

describe('Auth credentials are stored hashed', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
    await t.root.write('sys/auth/userpass', { type: 'userpass' });
    await t.root.write('sys/auth/approle', { type: 'approle' });
    await t.root.write('auth/userpass/users/marker', { password: PASSWORD });
    await t.root.write('auth/userpass/users/marker/password', { password: PASSWORD });
    await t.root.write('auth/approle/role/marker', { role_id: ROLE_ID });
    await t.root.write('auth/approle/role/marker/custom-secret-id', { secret_id: SECRET_ID, num_uses: 5 });
    // Logins write too (a spent use, a token): none may copy a credential.
    await t.anon.write('auth/userpass/login/marker', { password: PASSWORD });
    await t.anon.write('auth/approle/login', { role_id: ROLE_ID, secret_id: SECRET_ID });
  });
  after(() => t.close());

  it('keeps no password, secret id or role id in a storage key or value above the barrier', async () => {
    const barrier = t.server.core.barrier;
    const keys: string[] = [];
    const walk = async (prefix: string) => {
      for (const k of await barrier.list(prefix)) {
        if (k.endsWith('/')) await walk(prefix + k);
        else keys.push(prefix + k);
      }
    };
    // Everything above the barrier that requests write: methods, tokens, leases, locks, engines.
    for (const prefix of ['auth/', 'sys/', 'logical/']) await walk(prefix);
    const roleEntry = keys.filter((k) => k.endsWith('/role/marker'));
    assert.equal(roleEntry.length, 1);
    const approleAccessor = (await t.root.read('sys/auth'))!.data!['approle/'] as { accessor: string };
    const entityKeys = new Set<string>();
    for (const key of keys.filter((k) => k.startsWith('sys/identity/entity/'))) {
      const entity = JSON.parse((await barrier.get(key))!.toString('utf8')) as { aliases: { mountAccessor: string; name: string }[] };
      if (entity.aliases.some((a) => a.mountAccessor === approleAccessor.accessor && a.name === ROLE_ID)) entityKeys.add(key);
    }
    assert.equal(entityKeys.size, 1, 'the approle login maps to one entity, its alias named by the role id');
    for (const key of keys) {
      assert.ok(!key.includes('marker-') && !key.includes(PASSWORD), key);
      const value = (await barrier.get(key))!.toString('latin1');
      assert.ok(!value.includes(PASSWORD), `${key} holds the password`);
      assert.ok(!value.includes(SECRET_ID), `${key} holds the secret id`);
      if (key !== roleEntry[0] && !entityKeys.has(key)) assert.ok(!value.includes(ROLE_ID), `${key} holds the role id`);
    }
    const user = JSON.parse((await barrier.get(keys.find((k) => k.endsWith('/user/marker'))!))!.toString('utf8')) as { passwordHash: string };
    assert.match(user.passwordHash, /^scrypt\$/);
  });

  it('keeps none of them in the physical store either', async () => {
    const physical = t.server.core.physical;
    for (const key of await allPhysicalKeys(physical)) {
      const raw = (await physical.get(key))!.toString('latin1');
      for (const marker of [PASSWORD, SECRET_ID, ROLE_ID]) assert.ok(!key.includes(marker) && !raw.includes(marker), `${key} holds ${marker}`);
    }
  });
});
