import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

describe('coffer kv on a KV version 1 mount', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
    assert.equal((await t.root.raw('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } })).status, 204);
  });
  after(() => t.close());

  it('puts with plain paths and says where it wrote', async () => {
    const [a, b] = await Promise.all([
      cli(['kv', 'put', 'kv1/app', 'user=admin', 'password=s3cret']),
      cli(['kv', 'put', '-mount=kv1', 'team/db', '-'], { stdin: '{"host":"db.internal"}' }),
    ]);
    assert.equal(a.code, 0, show(a));
    assert.equal(a.stdout, 'Success! Data written to: kv1/app\n');
    assert.equal(b.code, 0, show(b));
    assert.equal(b.stdout, 'Success! Data written to: kv1/team/db\n');
  });

  it('gets a secret under a "Data" header, by path or with -mount', async () => {
    const [byPath, byMount] = await Promise.all([cli(['kv', 'get', 'kv1/app']), cli(['kv', 'get', '-mount=kv1', 'app'])]);
    for (const r of [byPath, byMount]) {
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, '====== Data ======\nKey         Value\n---         -----\npassword    s3cret\nuser        admin\n');
    }
  });

  it('gets one field raw, or the whole secret as JSON', async () => {
    const [field, json] = await Promise.all([cli(['kv', 'get', '-field=password', 'kv1/app']), cli(['kv', 'get', '-format=json', 'kv1/team/db'])]);
    assert.equal(field.stdout, 's3cret');
    assert.deepEqual(JSON.parse(json.stdout).data, { host: 'db.internal' });
  });

  it('lists by path and with -mount', async () => {
    const [root, sub, mount] = await Promise.all([cli(['kv', 'list', 'kv1/']), cli(['kv', 'list', 'kv1/team']), cli(['kv', 'list', '-mount=kv1'])]);
    assert.equal(root.stdout, 'Keys\n----\napp\nteam/\n');
    assert.equal(sub.stdout, 'Keys\n----\ndb\n');
    assert.equal(mount.stdout, root.stdout);
  });

  it('deletes; a later get exits 2 with "No value found"', async () => {
    const d = await cli(['kv', 'delete', 'kv1/team/db']);
    assert.equal(d.code, 0, show(d));
    assert.equal(d.stdout, 'Success! Data deleted (if it existed) at: kv1/team/db\n');
    const g = await cli(['kv', 'get', 'kv1/team/db']);
    assert.equal(g.code, 2, show(g));
    assert.equal(g.stderr, 'No value found at kv1/team/db\n');
  });

  it('refuses the version-2-only commands on a version 1 mount (exit 1)', async () => {
    const results = await Promise.all([
      cli(['kv', 'patch', 'kv1/app', 'user=root']),
      cli(['kv', 'undelete', '-versions=1', 'kv1/app']),
      cli(['kv', 'destroy', '-versions=1', 'kv1/app']),
      cli(['kv', 'metadata', 'get', 'kv1/app']),
      cli(['kv', 'metadata', 'put', '-max-versions=3', 'kv1/app']),
      cli(['kv', 'metadata', 'delete', 'kv1/app']),
    ]);
    for (const r of results) assert.equal(r.code, 1, show(r));
    assert.match(results[0]!.stderr, /K\/V engine mount must be version 2 for patch support/);
    assert.match(results[1]!.stderr, /Undelete not supported on KV Version 1/);
    assert.match(results[2]!.stderr, /Destroy not supported on KV Version 1/);
    for (const r of results.slice(3)) assert.match(r.stderr, /Metadata not supported on KV Version 1/);
  });

  it('exits 2 for usage mistakes: no data, no versions, no key', async () => {
    const results = await Promise.all([
      cli(['kv', 'put', 'kv1/app']),
      cli(['kv', 'undelete', 'kv1/app']),
      cli(['kv', 'get']),
      cli(['kv', 'list']),
      cli(['kv', 'patch', 'kv1/app', '-method=bogus', 'a=b']),
    ]);
    for (const r of results) assert.equal(r.code, 2, show(r));
    assert.match(results[0]!.stderr, /^Must supply data\n/);
    assert.match(results[1]!.stderr, /No versions provided, use the "-versions" flag/);
  });

  it('exits 1 with the server\'s message for a path under no mount', async () => {
    const r = await cli(['kv', 'get', 'no-such-mount/app']);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /URL: GET .*\/v1\/sys\/internal\/ui\/mounts\/no-such-mount\/app\nCode: 400\. Errors:\n\n\* no mount found/);
  });
});
