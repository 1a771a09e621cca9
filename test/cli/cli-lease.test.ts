import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { leasingRegistry } from '../helpers/leasing-backend.js';
import { cliWith, show, tempDir } from './run-cli.js';

describe('coffer lease lookup|renew|revoke', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;
  before(async () => {
    t = await startDevServer({}, { extraBackends: leasingRegistry });
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
    await t.root.write('sys/mounts/db', { type: 'leasing' });
    await t.root.write('db/config', { ttl: '1h', max_ttl: '2h' });
  });
  after(() => t.close());

  const issue = async (path = 'db/creds/cli') => (await t.root.read(path))!.lease_id;
  const exists = async (id: string) => (await t.root.raw('PUT', 'sys/leases/lookup', { lease_id: id })).status === 200;

  it('looks a lease up and renews it, capped at its max TTL', async () => {
    const id = await issue();
    const lookup = await cli(['lease', 'lookup', id]);
    assert.equal(lookup.code, 0, show(lookup));
    assert.match(lookup.stdout, new RegExp(`id\\s+${id}`));
    assert.match(lookup.stdout, /renewable\s+true/);
    const ttl = await cli(['lease', 'renew', '-increment=90m', '-field=lease_duration', id]);
    assert.equal(ttl.code, 0, show(ttl));
    assert.equal(ttl.stdout.trim(), '5400');
    const capped = await cli(['lease', 'renew', '-increment=5h', '-format=json', id]);
    assert.equal(capped.code, 0, show(capped));
    const body = JSON.parse(capped.stdout) as { lease_duration: number; warnings: string[] };
    assert.ok(body.lease_duration <= 7200);
    assert.match(body.warnings.join(' '), /capped/);
  });

  it('revokes one lease, and every lease under a prefix', async () => {
    const one = await issue();
    const r = await cli(['lease', 'revoke', one]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /Success! Revoked lease/);
    assert.equal(await exists(one), false);
    const many = [await issue('db/creds/bulk'), await issue('db/creds/bulk')];
    const p = await cli(['lease', 'revoke', '-prefix', 'db/creds/bulk']);
    assert.equal(p.code, 0, show(p));
    for (const id of many) assert.equal(await exists(id), false);
  });

  it('force-revokes leases the engine cannot revoke, and refuses misused flags', async () => {
    await t.root.write('db/config', { fail_revoke: true });
    const id = await issue('db/creds/stuck');
    const plain = await cli(['lease', 'revoke', id]);
    assert.equal(plain.code, 1, show(plain));
    assert.match(plain.stderr, /Error revoking lease: [\s\S]*account store unreachable/);
    const forced = await cli(['lease', 'revoke', '-prefix', '-force', 'db/creds/stuck']);
    assert.equal(forced.code, 0, show(forced));
    assert.equal(await exists(id), false);
    await t.root.write('db/config', { fail_revoke: false });
    const misuse = await cli(['lease', 'revoke', '-force', id]);
    assert.equal(misuse.code, 2, show(misuse));
    assert.match(misuse.stderr, /-force requires -prefix/);
    const missing = await cli(['lease', 'lookup']);
    assert.equal(missing.code, 2, show(missing));
    const unknown = await cli(['lease', 'lookup', 'db/creds/cli/nope']);
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /invalid lease/);
  });
});
