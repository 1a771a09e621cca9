import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackgroundContext } from '../../../framework/backend.js';
import { silentLogger } from '../../../logging/logger.js';
import { MemStorage } from '../../token/fixtures.js';
import { IdentityStore } from '../identity-store.js';
import { createOidc } from './index.js';
import { readRecord, writeRecord } from './records.js';
import { createKey, rotateKey } from './keys.js';

const HOUR = 3600_000;

describe('OIDC periodic work', () => {
  it('rotates keys past their rotation_period and drops versions past their verification_ttl, and creates the built-in resources', async () => {
    const storage = new MemStorage();
    let now = Date.UTC(2026, 0, 1);
    const ctx = { storage, logger: silentLogger, clock: () => now } as unknown as BackgroundContext;
    const oidc = createOidc(new IdentityStore({ storage: new MemStorage(), mountByAccessor: () => undefined }), () => '');

    let key = await createKey({ name: 'k', algorithm: 'ES256', rotationPeriod: 3600, verificationTtl: 1800, allowedClientIds: ['*'] }, now);
    const first = key.signingKid;
    key = await rotateKey(key, now);
    const second = key.signingKid;
    await writeRecord(storage, 'key', key);

    now += 10 * 60_000;
    await oidc.periodic(ctx);
    let stored = (await readRecord(storage, 'key', 'k'))!;
    assert.equal(stored.signingKid, second, 'not due yet');
    assert.deepEqual(stored.versions.map((v) => v.kid), [first, second]);

    now += HOUR / 2;
    await oidc.periodic(ctx);
    stored = (await readRecord(storage, 'key', 'k'))!;
    assert.deepEqual(stored.versions.map((v) => v.kid), [second], 'the first version’s verification_ttl is over');

    now += HOUR;
    await oidc.periodic(ctx);
    stored = (await readRecord(storage, 'key', 'k'))!;
    assert.notEqual(stored.signingKid, second, 'rotated once its period passed');
    assert.deepEqual(stored.versions.map((v) => v.kid), [second, stored.signingKid]);
    assert.equal(stored.versions[0]!.expireAt, now + 1800_000);

    assert.ok(await readRecord(storage, 'key', 'default'));
    assert.ok(await readRecord(storage, 'provider', 'default'));
    assert.deepEqual(await readRecord(storage, 'assignment', 'allow_all'), { name: 'allow_all', entityIds: ['*'], groupIds: ['*'] });
  });
});
