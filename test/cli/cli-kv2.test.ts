import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

const json = (stdout: string) => JSON.parse(stdout) as { data: Record<string, any> };

describe('coffer kv on a KV version 2 mount', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
    assert.equal((await t.root.raw('POST', 'sys/mounts/kv2', { type: 'kv', options: { version: '2' } })).status, 204);
  });
  after(() => t.close());

  it('puts a first version and prints its path and metadata', async () => {
    const r = await cli(['kv', 'put', 'kv2/app', 'user=admin', 'password=one']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^== Secret Path ==\nkv2\/data\/app\n\n=+ Metadata =+\nKey\s+Value\n---\s+-----\ncreated_time\s+\S+\n/);
    assert.match(r.stdout, /^deletion_time\s+n\/a$/m);
    assert.match(r.stdout, /^destroyed\s+false$/m);
    assert.match(r.stdout, /^version\s+1$/m);
  });

  it('puts a second version through -mount, and -field picks a metadata field', async () => {
    const r = await cli(['kv', 'put', '-mount=kv2', '-field=version', 'app', 'user=admin', 'password=two']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '2');
  });

  it('gets the latest version with its metadata and data, or an older one with -version', async () => {
    const [latest, old, field, asJson] = await Promise.all([
      cli(['kv', 'get', 'kv2/app']),
      cli(['kv', 'get', '-version=1', '-format=json', 'kv2/app']),
      cli(['kv', 'get', '-field=password', '-mount=kv2', 'app']),
      cli(['kv', 'get', '-format=json', 'kv2/app']),
    ]);
    assert.equal(latest.code, 0, show(latest));
    assert.match(latest.stdout, /^== Secret Path ==\nkv2\/data\/app\n\n=+ Metadata =+\n[\s\S]*version\s+2\n\n=+ Data =+\nKey\s+Value\n---\s+-----\npassword\s+two\nuser\s+admin\n$/);
    assert.equal(json(old.stdout).data.data.password, 'one');
    assert.equal(field.stdout, 'two');
    assert.equal(json(asJson.stdout).data.metadata.version, 2);
  });

  it('reads through plain "coffer read" with a version query parameter', async () => {
    const r = await cli(['read', '-format=json', 'kv2/data/app', 'version=1']);
    assert.equal(r.code, 0, show(r));
    assert.equal(json(r.stdout).data.data.password, 'one');
  });

  it('refuses a put whose -cas does not match, with the server\'s message (exit 1), and accepts a matching one', async () => {
    const bad = await cli(['kv', 'put', '-cas=1', 'kv2/app', 'password=three']);
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^Error writing data to kv2\/data\/app: Error making API request\.\n\nURL: POST /);
    assert.match(bad.stderr, /Code: 400\. Errors:\n\n\* .*check-and-set/);
    const good = await cli(['kv', 'put', '-cas=2', '-format=json', 'kv2/app', 'user=admin', 'password=three']);
    assert.equal(good.code, 0, show(good));
    assert.equal(json(good.stdout).data.version, 3);
  });

  it('patches fields with kv patch (HTTP PATCH and read-then-write), removing keys with -remove-data', async () => {
    const p1 = await cli(['kv', 'patch', 'kv2/app', 'region=eu']);
    assert.equal(p1.code, 0, show(p1));
    assert.match(p1.stdout, /^version\s+4$/m);
    const p2 = await cli(['kv', 'patch', '-method=rw', '-remove-data=region', 'kv2/app', 'tier=gold']);
    assert.equal(p2.code, 0, show(p2));
    const g = await cli(['kv', 'get', '-format=json', 'kv2/app']);
    assert.deepEqual(json(g.stdout).data.data, { user: 'admin', password: 'three', tier: 'gold' });
    const badCas = await cli(['kv', 'patch', '-cas=1', 'kv2/app', 'x=y']);
    assert.equal(badCas.code, 1, show(badCas));
  });

  it('patches through plain "coffer patch" with a JSON body on stdin', async () => {
    const r = await cli(['patch', 'kv2/data/app', '-'], { stdin: '{"data": {"tier": "platinum"}}' });
    assert.equal(r.code, 0, show(r));
    const g = await cli(['kv', 'get', '-field=tier', 'kv2/app']);
    assert.equal(g.stdout, 'platinum');
  });

  it('soft-deletes the latest version; get then shows the deletion and no data', async () => {
    const d = await cli(['kv', 'delete', 'kv2/app']);
    assert.equal(d.code, 0, show(d));
    assert.equal(d.stdout, 'Success! Data deleted (if it existed) at: kv2/data/app\n');
    const g = await cli(['kv', 'get', 'kv2/app']);
    assert.doesNotMatch(g.stdout, /=+ Data =+/);
    assert.doesNotMatch(g.stdout, /^deletion_time\s+n\/a$/m);
  });

  it('undeletes that version, deletes and destroys given versions', async () => {
    const meta = json((await cli(['kv', 'metadata', 'get', '-format=json', 'kv2/app'])).stdout).data;
    const latest = String(meta.current_version);
    const u = await cli(['kv', 'undelete', `-versions=${latest}`, 'kv2/app']);
    assert.equal(u.code, 0, show(u));
    assert.equal(u.stdout, 'Success! Data written to: kv2/undelete/app\n');
    assert.equal((await cli(['kv', 'get', '-field=user', 'kv2/app'])).stdout, 'admin');
    const [del, destroy] = await Promise.all([cli(['kv', 'delete', '-versions=2', 'kv2/app']), cli(['kv', 'destroy', '-versions=1', 'kv2/app'])]);
    assert.equal(del.code, 0, show(del));
    assert.equal(del.stdout, 'Success! Data deleted (if it existed) at: kv2/delete/app\n');
    assert.equal(destroy.code, 0, show(destroy));
    assert.equal(destroy.stdout, 'Success! Data written to: kv2/destroy/app\n');
  });

  it('prints metadata with a section per version', async () => {
    const r = await cli(['kv', 'metadata', 'get', 'kv2/app']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^=+ Metadata Path =+\nkv2\/metadata\/app\n\n=+ Metadata =+\nKey\s+Value\n---\s+-----\n/);
    assert.match(r.stdout, /current_version\s+\d+/);
    assert.match(r.stdout, /=+ Version 1 =+\nKey\s+Value\n---\s+-----\ncreated_time\s+\S+\ndeletion_time\s+n\/a\ndestroyed\s+true/);
    assert.match(r.stdout, /=+ Version 2 =+\nKey\s+Value\n---\s+-----\ncreated_time\s+\S+\ndeletion_time\s+\d{4}-/);
  });

  it('sets and patches metadata settings and custom metadata', async () => {
    const put = await cli(['kv', 'metadata', 'put', '-max-versions=5', '-cas-required=false', '-delete-version-after=768h', '-custom-metadata=owner=alice', '-custom-metadata=team=core', 'kv2/app']);
    assert.equal(put.code, 0, show(put));
    assert.equal(put.stdout, 'Success! Data written to: kv2/metadata/app\n');
    let meta = json((await cli(['kv', 'metadata', 'get', '-format=json', 'kv2/app'])).stdout).data;
    assert.equal(meta.max_versions, 5);
    assert.deepEqual(meta.custom_metadata, { owner: 'alice', team: 'core' });
    const patch = await cli(['kv', 'metadata', 'patch', '-custom-metadata=team=payments', '-remove-custom-metadata=owner', 'kv2/app']);
    assert.equal(patch.code, 0, show(patch));
    meta = json((await cli(['kv', 'metadata', 'get', '-format=json', '-mount=kv2', 'app'])).stdout).data;
    assert.deepEqual(meta.custom_metadata, { team: 'payments' });
    assert.equal(meta.max_versions, 5);
  });

  it('lists under the metadata path, by path and with -mount', async () => {
    await cli(['kv', 'put', 'kv2/team/db', 'host=db']);
    const [byPath, byMount, sub] = await Promise.all([cli(['kv', 'list', 'kv2/']), cli(['kv', 'list', '-mount=kv2']), cli(['kv', 'list', '-format=json', 'kv2/team'])]);
    assert.equal(byPath.code, 0, show(byPath));
    assert.equal(byPath.stdout, 'Keys\n----\napp\nteam/\n');
    assert.equal(byMount.stdout, byPath.stdout);
    assert.deepEqual(JSON.parse(sub.stdout), ['db']);
  });

  it('deletes a key with all its versions through metadata delete', async () => {
    const d = await cli(['kv', 'metadata', 'delete', 'kv2/team/db']);
    assert.equal(d.code, 0, show(d));
    assert.equal(d.stdout, 'Success! Data deleted (if it existed) at: kv2/metadata/team/db\n');
    const g = await cli(['kv', 'get', 'kv2/team/db']);
    assert.equal(g.code, 2, show(g));
    assert.equal(g.stderr, 'No value found at kv2/data/team/db\n');
  });
});
