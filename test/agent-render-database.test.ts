/**
 * Dynamic database credentials through the template runner, against a real PostgreSQL:
 * the lease is renewed past its first TTL (the same user keeps working), and when the
 * lease nears its max TTL the runner fetches new credentials and renders them before the
 * old ones are revoked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTemplateRunner, type TemplateRunner } from '../src/agent/render/runner.js';
import { silentLogger } from '../src/logging/logger.js';
import { configure, CREATE_USER, startDatabaseFixture, type DatabaseFixture } from './helpers/database.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('agent template runner with database credentials', () => {
  let fx: DatabaseFixture;
  let runner: TemplateRunner | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'coffer-agent-db-'));

  before(async () => {
    fx = await startDatabaseFixture();
    await configure(fx, 'pg');
    await fx.t.root.write('database/roles/app', { db_name: 'pg', creation_statements: CREATE_USER, default_ttl: '3s', max_ttl: '8s' });
  });
  after(async () => {
    await runner?.stop();
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renews the lease at about 2/3 of its TTL and fetches new credentials before the max TTL', async () => {
    const file = join(dir, 'db.conf');
    // The shape of the database credentials example in Vault Agent's documentation.
    const contents = '{{ with secret "database/creds/app" }}\nusername={{ .Data.username }}\npassword={{ .Data.password }}\nlease={{ .LeaseID }}\n{{ end }}';
    const started = Date.now();
    runner = startTemplateRunner({
      address: fx.t.address,
      token: () => fx.t.rootToken,
      templates: [{ contents, destination: file, perms: 0o600 }],
      envTemplates: [],
      staticSecretRenderIntervalMs: 60_000,
      exitOnRetryFailure: false,
      logger: silentLogger,
    });
    await runner.firstRender;
    const parse = () => Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
    const first = parse();
    assert.match(first.username!, /\S/);
    assert.ok((await fx.pg.login(first.username!, first.password!)).ok);

    // Past the first TTL: only a renewal keeps this lease and this user alive.
    await sleep(Math.max(0, started + 4500 - Date.now()));
    const lookup = await fx.t.root.write('sys/leases/lookup', { lease_id: first.lease });
    assert.ok(Date.parse(lookup!.data!.expire_time as string) > Date.now(), 'the lease was renewed');
    assert.ok((await fx.pg.login(first.username!, first.password!)).ok, 'the first user still logs in after its first TTL');
    assert.equal(parse().username, first.username, 'no new credentials while renewal works');

    // Before the max TTL (8 s) the runner has rendered new credentials that work.
    let next = parse();
    while (next.username === first.username && Date.now() - started < 8000) {
      await sleep(50);
      next = parse();
    }
    assert.notEqual(next.username, first.username, 'new credentials before the max TTL');
    assert.ok(Date.now() - started < 8000);
    assert.ok((await fx.pg.login(next.username!, next.password!)).ok, 'the new user logs in');
  });
});
