import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

describe('coffer read, write, list, delete, patch and path-help', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
    // An explicit version-1 mount, so these tests do not depend on what the dev server mounts.
    const res = await t.root.raw('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    assert.equal(res.status, 204);
  });
  after(() => t.close());

  it('writes key=value pairs and reads them back as a table', async () => {
    const w = await cli(['write', 'kv1/app', 'user=admin', 'port=5432']);
    assert.equal(w.code, 0, show(w));
    assert.equal(w.stdout, 'Success! Data written to: kv1/app\n');
    const r = await cli(['read', 'kv1/app']);
    assert.equal(r.code, 0, show(r));
    // (A lease_duration, if the engine sends one, shows as a refresh_interval row first.)
    assert.match(r.stdout, /^Key\s+Value\n---\s+-----\n(refresh_interval\s+\S+\n)?port\s+5432\nuser\s+admin\n$/);
  });

  it('reads as parseable JSON and as YAML', async () => {
    const [json, yaml] = await Promise.all([cli(['read', '-format=json', 'kv1/app']), cli(['read', '-format=yaml', 'kv1/app'])]);
    assert.equal(json.code, 0, show(json));
    const body = JSON.parse(json.stdout);
    assert.deepEqual(body.data, { port: '5432', user: 'admin' });
    assert.deepEqual(Object.keys(body).slice(0, 6), ['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings']);
    assert.equal(yaml.code, 0, show(yaml));
    assert.match(yaml.stdout, /^data:\n {2}port: "5432"\n {2}user: admin\nlease_duration: \d+\n/);
  });

  it('prints one field raw with -field (no newline when piped), and JSON-encoded with -format=json', async () => {
    const [raw, json, missing] = await Promise.all([
      cli(['read', '-field=user', 'kv1/app']),
      cli(['read', '-field=user', '-format=json', 'kv1/app']),
      cli(['read', '-field=nope', 'kv1/app']),
    ]);
    assert.equal(raw.code, 0, show(raw));
    assert.equal(raw.stdout, 'admin');
    assert.equal(json.stdout, '"admin"');
    assert.equal(missing.code, 1, show(missing));
    assert.match(missing.stderr, /Field "nope" not present in secret/);
  });

  it('takes values from files (key=@file), stdin (key=-), a JSON object on stdin (-) and lists for repeated keys', async () => {
    const file = join(tempDir(), 'cert.pem');
    writeFileSync(file, '-----BEGIN-----\nabc\n');
    const results = await Promise.all([
      cli(['write', 'kv1/file', `cert=@${file}`]),
      cli(['write', 'kv1/stdin', 'password=-'], { stdin: 's3cret' }),
      cli(['write', 'kv1/json', '-'], { stdin: '{"n": 1, "nested": {"a": true}}' }),
      cli(['write', 'kv1/list', 'tag=a', 'tag=b', 'escaped=\\@x']),
    ]);
    for (const r of results) assert.equal(r.code, 0, show(r));
    const reads = await Promise.all(['file', 'stdin', 'json', 'list'].map((k) => cli(['read', '-format=json', `kv1/${k}`])));
    const data = reads.map((r) => JSON.parse(r.stdout).data);
    assert.deepEqual(data, [
      { cert: '-----BEGIN-----\nabc\n' },
      { password: 's3cret' },
      { n: 1, nested: { a: true } },
      { escaped: '@x', tag: ['a', 'b'] },
    ]);
  });

  it('prints a table of the answer when a write returns data, and -field picks one value', async () => {
    const [table, field] = await Promise.all([
      cli(['write', 'auth/token/create', 'policies=default', 'ttl=1h']),
      cli(['write', '-field=token_policies', 'auth/token/create', 'policies=default']),
    ]);
    assert.equal(table.code, 0, show(table));
    assert.match(table.stdout, /^Key\s+Value\n---\s+-----\ntoken\s+hvs\.\S+\ntoken_accessor\s+\S+\ntoken_duration\s+1h\n/);
    assert.equal(field.stdout, '[default]');
  });

  it('writes with -force when an endpoint takes no data, and refuses no data without it (exit 2)', async () => {
    const [forced, refused] = await Promise.all([cli(['write', '-f', 'sys/rotate']), cli(['write', 'sys/rotate'])]);
    assert.equal(forced.code, 0, show(forced));
    assert.equal(forced.stdout, 'Success! Data written to: sys/rotate\n');
    assert.equal(refused.code, 2, show(refused));
    assert.match(refused.stderr, /^Must supply data or use -force\n/);
  });

  it('lists keys as a table and as a JSON array; an empty path exits 2', async () => {
    const [table, json, empty, emptyJson] = await Promise.all([
      cli(['list', 'kv1/']),
      cli(['list', '-format=json', 'kv1']),
      cli(['list', 'kv1/nothing-here']),
      cli(['list', '-format=json', 'kv1/nothing-here']),
    ]);
    assert.equal(table.code, 0, show(table));
    assert.equal(table.stdout, 'Keys\n----\napp\nfile\njson\nlist\nstdin\n');
    assert.deepEqual(JSON.parse(json.stdout).sort(), ['app', 'file', 'json', 'list', 'stdin']);
    assert.equal(empty.code, 2, show(empty));
    assert.equal(empty.stderr, 'No value found at kv1/nothing-here\n');
    assert.equal(emptyJson.code, 2);
    assert.deepEqual(JSON.parse(emptyJson.stdout), {});
  });

  it('exits 2 with "No value found" for a missing secret, in every format', async () => {
    const [table, json] = await Promise.all([cli(['read', 'kv1/missing']), cli(['read', '-format=json', 'kv1/missing'])]);
    for (const r of [table, json]) {
      assert.equal(r.code, 2, show(r));
      assert.equal(r.stderr, 'No value found at kv1/missing\n');
      assert.equal(r.stdout, '');
    }
  });

  it('deletes, and a later read finds nothing', async () => {
    const d = await cli(['delete', 'kv1/list']);
    assert.equal(d.code, 0, show(d));
    assert.equal(d.stdout, 'Success! Data deleted (if it existed) at: kv1/list\n');
    assert.equal((await cli(['read', 'kv1/list'])).code, 2);
  });

  it('exits 1 with the server\'s errors when the server refuses, never with a stack trace', async () => {
    const limited = (await t.root.write('auth/token/create', { policies: ['default'] }))!.auth!.client_token as string;
    const [denied, unsupported] = await Promise.all([
      cli(['write', 'kv1/app', 'x=1'], { env: { COFFER_TOKEN: limited } }),
      cli(['patch', 'kv1/app', 'user=root']),
    ]);
    assert.equal(denied.code, 1, show(denied));
    assert.equal(
      denied.stderr,
      `Error writing data to kv1/app: Error making API request.\n\nURL: POST ${t.address}/v1/kv1/app\nCode: 403. Errors:\n\n* permission denied\n`,
    );
    assert.equal(unsupported.code, 1, show(unsupported));
    assert.match(unsupported.stderr, /^Error writing data to kv1\/app: Error making API request\.\n\nURL: PATCH .*\nCode: 405\. Errors:\n\n\* /);
  });

  it('prints the server\'s help for a path with path-help', async () => {
    const [text, json, missing] = await Promise.all([cli(['path-help', 'kv1/']), cli(['path-help', '-format=json', 'sys/mounts']), cli(['path-help'])]);
    assert.equal(text.code, 0, show(text));
    assert.match(text.stdout, /secret/i);
    assert.equal(json.code, 0, show(json));
    assert.equal(typeof JSON.parse(json.stdout).help, 'string');
    assert.equal(missing.code, 2);
  });
});
