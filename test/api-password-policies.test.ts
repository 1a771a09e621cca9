/** sys/policies/password over HTTP: write, read, list, generate, delete, and refusals at write time. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

const POLICY = 'length = 16\nrule "charset" {\n  charset = "abc"\n  min-chars = 4\n}\nrule "charset" {\n  charset = "123"\n  min-chars = 4\n}\n';

describe('sys/policies/password', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('writes a policy, reads its text back and lists it', async () => {
    assert.equal((await t.root.raw('PUT', 'sys/policies/password/pins', { policy: POLICY })).status, 204);
    const read = await t.root.read('sys/policies/password/pins');
    assert.equal(read!.data!.policy, POLICY);
    const listed = await t.root.list('sys/policies/password');
    assert.deepEqual(listed!.data!.keys, ['pins']);
  });

  it('generates passwords that follow the policy', async () => {
    for (let i = 0; i < 20; i++) {
      const pw = (await t.root.read('sys/policies/password/pins/generate'))!.data!.password as string;
      assert.match(pw, /^[abc123]{16}$/);
      assert.ok(pw.replace(/[^abc]/g, '').length >= 4 && pw.replace(/[^123]/g, '').length >= 4, pw);
    }
  });

  it('takes a base64-encoded policy', async () => {
    const text = 'length = 5\nrule "charset" { charset = "x" }';
    await t.root.write('sys/policies/password/b64', { policy: Buffer.from(text).toString('base64') });
    assert.equal((await t.root.read('sys/policies/password/b64/generate'))!.data!.password, 'xxxxx');
  });

  it('refuses impossible policies at write time with a 400, and stores nothing', async () => {
    for (const policy of [
      'length = 5\nrule "charset" { charset = "ab"\n min-chars = 6 }',
      'length = 10\nrule "charset" { charset = "" }',
      'length = 200\nrule "charset" { charset = "ab" }',
      'length = 2\nrule "charset" { charset = "ab" }',
      '{"length": ',
    ]) {
      const res = await t.root.raw('PUT', 'sys/policies/password/bad', { policy });
      assert.equal(res.status, 400, policy);
      assert.match(JSON.stringify(res.body), /invalid password policy/);
    }
    assert.equal((await t.root.raw('PUT', 'sys/policies/password/bad', {})).status, 400);
    assert.equal((await t.root.raw('GET', 'sys/policies/password/bad')).status, 404);
  });

  it('answers 404 for an unknown policy and forgets a deleted one', async () => {
    assert.equal((await t.root.raw('GET', 'sys/policies/password/nope/generate')).status, 404);
    await t.root.write('sys/policies/password/gone', { policy: POLICY });
    assert.equal((await t.root.raw('DELETE', 'sys/policies/password/gone')).status, 204);
    assert.equal((await t.root.raw('GET', 'sys/policies/password/gone')).status, 404);
    assert.equal((await t.root.raw('GET', 'sys/policies/password/gone/generate')).status, 404);
  });

  it('keeps policies across seal and unseal', async () => {
    assert.equal((await t.root.raw('PUT', 'sys/seal')).status, 204);
    assert.equal((await t.root.raw('PUT', 'sys/unseal', { key: t.server.dev!.unsealKey })).status, 200);
    assert.equal((await t.root.read('sys/policies/password/pins'))!.data!.policy, POLICY);
    assert.match((await t.root.read('sys/policies/password/pins/generate'))!.data!.password as string, /^[abc123]{16}$/);
  });
});
