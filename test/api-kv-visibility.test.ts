import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { rawText } from './helpers/raw-http.js';

describe('kv mount options', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('refuses a kv version it cannot serve, at enable and at tune', async () => {
    const res = await t.root.raw<{ errors: string[] }>('POST', 'sys/mounts/kv3', { type: 'kv', options: { version: '3' } });
    assert.equal(res.status, 400);
    assert.match(res.body!.errors[0]!, /version "3"/);
    assert.equal((await t.root.raw('GET', 'sys/mounts/kv3')).status, 400);
    const tune = await t.root.raw<{ errors: string[] }>('POST', 'sys/mounts/secret/tune', { options: { version: '1' } });
    assert.equal(tune.status, 400);
    assert.equal((await t.root.read('sys/mounts/secret'))!.data!.options && ((await t.root.read('sys/mounts/secret'))!.data!.options as Record<string, string>).version, '2');
  });
});

describe('LIST and SCAN name only what the caller may read', () => {
  let t: TestServer;
  let limited: string;

  before(async () => {
    t = await startDevServer();
    await t.root.write('sys/mounts/kv2', { type: 'kv', options: { version: '2' } });
    await t.root.write('sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    for (const key of ['app/a', 'app/b', 'app/sub/c', 'other/x']) {
      await t.root.write(`kv2/data/${key}`, { data: { v: key } });
      await t.root.write(`kv1/${key}`, { v: key });
    }
    await t.root.write('sys/policies/acl/app-a', {
      policy: `
        path "kv2/data/app/a" { capabilities = ["read"] }
        path "kv2/data/app/sub/c" { capabilities = ["read"] }
        path "kv2/metadata/*" { capabilities = ["list", "scan"] }
        path "kv1/app/a" { capabilities = ["read"] }
        path "kv1/app/" { capabilities = ["list", "scan"] }
      `,
    });
    limited = ((await t.root.write('auth/token/create', { policies: ['app-a'] }))!.auth as { client_token: string }).client_token;
  });
  after(() => t.close());

  it('lists every name for root, and only readable names for a limited token (kv v2)', async () => {
    assert.deepEqual((await t.root.list('kv2/metadata/app'))!.data!.keys, ['a', 'b', 'sub/']);
    assert.deepEqual((await t.client(limited).list('kv2/metadata/app'))!.data!.keys, ['a', 'sub/']);
  });

  it('filters kv v1 lists the same way', async () => {
    assert.deepEqual((await t.client(limited).list('kv1/app'))!.data!.keys, ['a']);
  });

  it('scans recursively with the SCAN verb and with ?scan=true', async () => {
    const reply = await rawText(t.address, `SCAN /v1/kv2/metadata/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${t.rootToken}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.match(reply, /"keys":\["app\/a","app\/b","app\/sub\/c","other\/x"\]/);
    const viaQuery = await t.client(limited).raw<{ data: { keys: string[] } }>('GET', 'kv2/metadata/?scan=true');
    assert.equal(viaQuery.status, 200);
    assert.deepEqual(viaQuery.body!.data.keys, ['app/a', 'app/sub/c']);
  });

  it('needs the scan capability to scan', async () => {
    await t.root.write('sys/policies/acl/list-only', { policy: 'path "kv2/metadata/*" { capabilities = ["list"] }' });
    const token = ((await t.root.write('auth/token/create', { policies: ['list-only'] }))!.auth as { client_token: string }).client_token;
    assert.equal((await t.client(token).raw('GET', 'kv2/metadata/?scan=true')).status, 403);
  });
});

describe('SCAN shows only what LIST shows folder by folder (issue 14 item 7)', () => {
  let t: TestServer;
  let v2Token: string;
  let v1Token: string;

  before(async () => {
    t = await startDevServer();
    await t.root.write('sys/mounts/m', { type: 'kv', options: { version: '2' } });
    await t.root.write('sys/mounts/m1', { type: 'kv', options: { version: '1' } });
    for (const key of ['priv/h1', 'priv/deeper/h2', 'pub/ok']) {
      await t.root.write(`m/data/${key}`, { data: { v: 1 } });
      await t.root.write(`m1/${key}`, { v: 1 });
    }
    // Every secret is readable; only the folder `priv/` may not be listed.
    await t.root.write('sys/policies/acl/no-priv-v2', {
      policy: `
        path "m/metadata/*" { capabilities = ["list", "scan", "read"] }
        path "m/data/*" { capabilities = ["read"] }
        path "m/metadata/priv" { capabilities = ["deny"] }
        path "m/metadata/priv/*" { capabilities = ["deny"] }
      `,
    });
    await t.root.write('sys/policies/acl/no-priv-v1', {
      policy: `
        path "m1/*" { capabilities = ["list", "scan", "read"] }
        path "m1/priv/" { capabilities = ["deny"] }
      `,
    });
    const token = async (policy: string) =>
      ((await t.root.write('auth/token/create', { policies: [policy] }))!.auth as { client_token: string }).client_token;
    v2Token = await token('no-priv-v2');
    v1Token = await token('no-priv-v1');
  });
  after(() => t.close());

  it('kv v2: LIST hides priv/, and SCAN neither enters it nor names keys below it', async () => {
    const c = t.client(v2Token);
    assert.equal((await c.raw('GET', 'm/metadata/priv/?list=true')).status, 403);
    assert.deepEqual((await c.list('m/metadata/'))!.data!.keys, ['pub/']);
    const scan = await c.raw<{ data: { keys: string[] } }>('GET', 'm/metadata/?scan=true');
    assert.equal(scan.status, 200);
    assert.deepEqual(scan.body!.data.keys, ['pub/ok']);
    // Resuming inside the hidden folder reveals nothing either.
    const resumed = await c.raw<{ data: { keys: string[] } }>('GET', 'm/metadata/?scan=true&after=priv/a');
    assert.deepEqual(resumed.body!.data.keys, ['pub/ok']);
    // The secrets themselves stay readable by name: only their listing is refused.
    assert.equal((await c.raw('GET', 'm/data/priv/h1')).status, 200);
  });

  it('kv v1: a folder the token may not LIST is not scanned, though its keys are readable', async () => {
    const c = t.client(v1Token);
    assert.equal((await c.raw('GET', 'm1/priv/?list=true')).status, 403);
    assert.deepEqual((await c.list('m1/'))!.data!.keys, ['pub/']);
    const scan = await c.raw<{ data: { keys: string[] } }>('GET', 'm1/?scan=true');
    assert.deepEqual(scan.body!.data.keys, ['pub/ok']);
    assert.equal((await c.raw('GET', 'm1/priv/h1')).status, 200);
  });

  it('root still scans everything', async () => {
    const scan = await t.root.raw<{ data: { keys: string[] } }>('GET', 'm/metadata/?scan=true');
    assert.deepEqual(scan.body!.data.keys, ['priv/deeper/h2', 'priv/h1', 'pub/ok']);
  });
});
