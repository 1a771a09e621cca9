import assert from 'node:assert/strict';
import { scryptSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password-hash.js';

describe('password hashes', () => {
  it('are salted scrypt hashes that verify only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.match(a, /^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b, 'each hash has its own salt');
    assert.ok(!a.includes('correct horse'));
    assert.deepEqual(await verifyPassword('correct horse', a), { ok: true, needsRehash: false });
    assert.equal((await verifyPassword('correct horsE', a)).ok, false);
    assert.equal((await verifyPassword('', a)).ok, false);
  });

  it('fails, after the same work, for no user and for a corrupt or hostile hash', async () => {
    assert.equal((await verifyPassword('x', undefined)).ok, false);
    assert.equal((await verifyPassword('x', 'garbage')).ok, false);
    // A tampered entry asking for gigabytes of memory is not honoured.
    assert.equal((await verifyPassword('x', `scrypt$30$8$1$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`)).ok, false);
  });

  it('verifies a hash made at another cost and asks for a re-hash', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('pw', salt, 32, { N: 2 ** 12, r: 8, p: 1 });
    const old = `scrypt$12$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    assert.deepEqual(await verifyPassword('pw', old), { ok: true, needsRehash: true });
    assert.deepEqual(await verifyPassword('other', old), { ok: false, needsRehash: false });
  });
});
