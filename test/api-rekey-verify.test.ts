/**
 * Issue 15, over HTTP against a real server: rekey with require_verification (the new shares
 * take effect only once a threshold of them comes back through sys/rekey/verify; until then
 * the current ones keep working), and sys/rekey/backup, which exists but never holds a
 * backup since PGP keys are refused. The calls carry the root token: a default listener
 * serves these paths to a token with sudo only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Body = Record<string, any>;

describe('sys/rekey with require_verification, and sys/rekey/backup', () => {
  let t: TestServer;
  let oldKey = '';
  let newKeys: string[] = [];
  const put = (path: string, body: Body = {}) => t.root.raw<Body>('PUT', path, body);
  const get = (path: string) => t.root.raw<Body>('GET', path);
  const sealStatus = async () => (await t.anon.raw<Body>('GET', 'sys/seal-status')).body!;
  const unsealWith = async (keys: string[]) => {
    let last: Body = {};
    for (const key of keys) last = (await t.anon.raw<Body>('PUT', 'sys/unseal', { key })).body!;
    return last;
  };

  before(async () => {
    t = await startDevServer();
    oldKey = t.server.dev!.unsealKey;
  });
  after(() => t.close());

  it('answers sys/rekey/backup and sys/rekey/recovery-key-backup as Vault does when there is no backup', async () => {
    for (const path of ['sys/rekey/backup', 'sys/rekey/recovery-key-backup']) {
      const read = await get(path);
      assert.equal(read.status, 400, `${path}: ${JSON.stringify(read.body)}`);
      assert.match(read.body!.errors[0], /no backed-up keys/);
      assert.equal((await t.root.raw('DELETE', path)).status, 204);
      assert.equal((await t.anon.raw('GET', path)).status, 403, 'an ordinary path: a token is needed');
    }
  });

  it('refuses PGP keys and a backup at rekey/init with 400 naming them, and starts nothing', async () => {
    for (const body of [{ pgp_keys: ['mQENBF...'] }, { pgp_keys: 'a,b' }, { backup: true }]) {
      const res = await put('sys/rekey/init', { secret_shares: 2, secret_threshold: 2, ...body });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body!.errors[0], /PGP keys are not supported/);
    }
    assert.equal((await get('sys/rekey/init')).body!.started, false);
  });

  it('hands out the new shares with verification_required and verification_nonce, and nothing changes yet', async () => {
    const init = await put('sys/rekey/init', { secret_shares: 3, secret_threshold: 2, require_verification: true });
    assert.equal(init.status, 200, JSON.stringify(init.body));
    assert.equal(init.body!.verification_required, true);
    assert.equal(init.body!.verification_nonce, undefined, 'no verification nonce before the new shares exist');
    assert.deepEqual((await get('sys/rekey/verify')).body, { nonce: '', started: false, t: 2, n: 3, progress: 0 });
    const early = await put('sys/rekey/verify', { key: oldKey, nonce: 'x' });
    assert.equal(early.status, 400);
    assert.match(early.body!.errors[0], /no rekey verification is in progress/);

    const done = await put('sys/rekey/update', { key: oldKey, nonce: init.body!.nonce });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual([done.body!.complete, done.body!.verification_required, done.body!.keys.length], [true, true, 3]);
    assert.match(done.body!.verification_nonce, /^[0-9a-f-]{36}$/);
    newKeys = done.body!.keys_base64;
    const status = (await get('sys/rekey/init')).body!;
    assert.deepEqual([status.started, status.verification_required, status.verification_nonce], [true, true, done.body!.verification_nonce]);
    const again = await put('sys/rekey/update', { key: oldKey, nonce: init.body!.nonce });
    assert.equal(again.status, 400);
    assert.match(again.body!.errors[0], /verif/);
    assert.deepEqual([(await sealStatus()).t, (await sealStatus()).n], [1, 1], 'the old split is still the one in force');
  });

  it('keeps the old share working before verification: it authorizes a root generation, a new share does not', async () => {
    const attempt = (await put('sys/generate-root-token/attempt')).body!.data;
    const refused = await put('sys/generate-root-token/update', { key: newKeys[0], nonce: attempt.nonce });
    assert.equal(refused.status, 400, 'a new share is not a share of the key in force');
    const done = await put('sys/generate-root-token/update', { key: oldKey, nonce: attempt.nonce });
    assert.equal(done.body!.data.complete, true, JSON.stringify(done.body));
  });

  it('refuses shares that are not the new ones (progress reset, new nonce) and restarts on DELETE', async () => {
    const nonce = (await get('sys/rekey/verify')).body!.nonce;
    const fake = (x: number) => Buffer.concat([randomBytes(32), Buffer.from([x])]).toString('base64');
    assert.equal((await put('sys/rekey/verify', { key: fake(7), nonce })).body!.progress, 1);
    const failed = await put('sys/rekey/verify', { key: fake(9), nonce });
    assert.equal(failed.status, 400);
    assert.match(failed.body!.errors[0], /verification failed/);
    const after = (await get('sys/rekey/verify')).body!;
    assert.deepEqual([after.started, after.progress, after.nonce === nonce], [true, 0, false]);

    assert.equal((await put('sys/rekey/verify', { key: newKeys[1], nonce: after.nonce })).body!.progress, 1);
    const restarted = await t.root.raw<Body>('DELETE', 'sys/rekey/verify');
    assert.equal(restarted.status, 200);
    assert.deepEqual([restarted.body!.progress, restarted.body!.started, restarted.body!.nonce === after.nonce], [0, true, false]);
    for (const body of [{ key: newKeys[1] }, { key: 'zz', nonce: restarted.body!.nonce }, { key: oldKey, nonce: restarted.body!.nonce }, { key: newKeys[1], nonce: 'wrong' }]) {
      const res = await put('sys/rekey/verify', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.ok(res.body!.errors[0].length > 0);
    }
  });

  it('installs the new shares once a threshold of them is verified: the old one stops working', async () => {
    const nonce = (await get('sys/rekey/verify')).body!.nonce;
    assert.equal((await put('sys/rekey/verify', { key: newKeys[2], nonce })).body!.progress, 1);
    const done = await put('sys/rekey/verify', { key: newKeys[0], nonce });
    assert.deepEqual(done.body, { nonce, complete: true });
    assert.equal((await get('sys/rekey/init')).body!.started, false);
    assert.deepEqual([(await sealStatus()).t, (await sealStatus()).n], [2, 3]);

    assert.equal((await put('sys/seal')).status, 204);
    assert.equal((await t.anon.raw('PUT', 'sys/unseal', { key: oldKey })).status, 400, 'the old share is no longer one');
    assert.equal((await unsealWith([newKeys[0]!, newKeys[2]!])).sealed, false);
  });

  it('drops unverified new shares on a seal or a cancel: the shares in force stay in force', async () => {
    const start = async () => {
      const init = (await put('sys/rekey/init', { secret_shares: 2, secret_threshold: 2, require_verification: true })).body!;
      await put('sys/rekey/update', { key: newKeys[0], nonce: init.nonce });
      return (await put('sys/rekey/update', { key: newKeys[1], nonce: init.nonce })).body!.keys_base64 as string[];
    };
    const dropped = await start();
    assert.equal((await put('sys/seal')).status, 204);
    await unsealWith(dropped);
    assert.equal((await sealStatus()).sealed, true, 'never installed');
    assert.equal((await unsealWith([newKeys[1]!, newKeys[2]!])).sealed, false);

    await start();
    assert.equal((await t.root.raw('DELETE', 'sys/rekey/init')).status, 204);
    const gone = await get('sys/rekey/verify');
    assert.equal(gone.status, 400);
    assert.match(gone.body!.errors[0], /no rekey is in progress/);
    assert.deepEqual([(await sealStatus()).t, (await sealStatus()).n], [2, 3]);
  });
});
