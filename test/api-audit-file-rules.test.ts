/**
 * What a file audit device enabled through the API may write to (the class of CVE-2025-6000:
 * sudo on sys/audit was enough to append a chosen line to any file the server could write,
 * and to change its mode). Real servers over HTTP; every refusal is a 400 naming the
 * problem, lists nothing afterwards and leaves the file as it was.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pairById, readAuditLog } from './helpers/audit-log.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

type Body = Record<string, any>;
const CRON_PREFIX = '* * * * * root touch /tmp/pwned # ';
const VICTIM_TEXT = 'SHELL=/bin/sh\n# the file of another program\n';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-audit-rules-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A file of another program, mode 0644. */
function victim(text = VICTIM_TEXT, mode = 0o644): string {
  const path = join(dir, `victim-${n++}.txt`);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const snapshot = (path: string) => ({ text: readFileSync(path, 'utf8'), mode: statSync(path).mode });

async function refused(t: TestServer, options: Record<string, string>, pattern: RegExp) {
  const res = await t.root.raw<Body>('PUT', `sys/audit/x${n++}`, { type: 'file', options });
  assert.equal(res.status, 400, `${JSON.stringify(options)}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(res.body!.errors[0], pattern);
  assert.deepEqual((await t.root.raw<Body>('GET', 'sys/audit')).body!.data, {}, 'nothing enabled');
}

describe('the CVE-2025-6000 request against a dev server (API creation on, prefixes off)', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer();
  });
  after(() => t.close());

  it('is refused for its prefix, and the victim file is unchanged in content and mode, also after more requests', async () => {
    const path = victim();
    const was = snapshot(path);
    await refused(t, { file_path: path, prefix: CRON_PREFIX }, /audit log prefixing is not allowed.*allow_audit_log_prefixing = true/);
    await t.root.raw('GET', 'auth/token/lookup-self');
    assert.deepEqual(snapshot(path), was);
  });

  it('a prefix is refused on a new file too: nothing is created', async () => {
    const path = join(dir, `new-${n++}.log`);
    await refused(t, { file_path: path, prefix: 'X ' }, /allow_audit_log_prefixing/);
    assert.equal(existsSync(path), false);
  });
});

describe('file rules, with prefixes allowed', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({ allowAuditLogPrefixing: true });
  });
  after(() => t.close());

  it('refuses the CVE-2025-6000 request: the file is not an audit log; it stays as it was', async () => {
    const path = victim();
    const was = snapshot(path);
    await refused(t, { file_path: path, prefix: CRON_PREFIX }, /"file_path": ".*" exists and is not an audit log/);
    await t.root.raw('GET', 'auth/token/lookup-self');
    assert.deepEqual(snapshot(path), was);
  });

  it('refuses an existing file of another kind without a prefix too, with mode "0000" as well', async () => {
    for (const text of ['ssh-ed25519 AAAAC3Nza attacker@host\n', '{"not":"an audit entry"}\n', '\n']) {
      const path = victim(text);
      const was = snapshot(path);
      await refused(t, { file_path: path }, /is not an audit log/);
      await refused(t, { file_path: path, mode: '0000' }, /is not an audit log/);
      assert.deepEqual(snapshot(path), was);
    }
  });

  it('refuses an executable file, even an empty one', async () => {
    for (const [text, mode] of [['#!/bin/sh\necho hi\n', 0o755], ['', 0o700], ['', 0o644 | 0o001]] as const) {
      const path = victim(text, mode);
      const was = snapshot(path);
      await refused(t, { file_path: path }, /is executable/);
      assert.deepEqual(snapshot(path), was);
    }
  });

  it('never writes through a symbolic link, to an existing file or to a new one', async () => {
    const target = victim('');
    const link = join(dir, `link-${n++}`);
    symlinkSync(target, link);
    const was = snapshot(target);
    await refused(t, { file_path: link }, /is a symbolic link/);
    assert.deepEqual(snapshot(target), was);
    const nowhere = join(dir, `nowhere-${n++}`);
    const dangling = join(dir, `dangling-${n++}`);
    symlinkSync(nowhere, dangling);
    await refused(t, { file_path: dangling }, /is a symbolic link/);
    assert.equal(existsSync(nowhere), false, 'nothing created where the link points');
  });

  it('refuses devices other than /dev/null and /dev/full', async () => {
    await refused(t, { file_path: '/dev/zero' }, /is a device/);
  });

  it('takes an empty existing file (logrotate "create"), setting its mode', async () => {
    const path = victim('', 0o644);
    assert.equal((await t.root.raw('PUT', 'sys/audit/empty', { type: 'file', options: { file_path: path } })).status, 204);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const res = await t.root.raw<Body>('GET', 'auth/token/lookup-self');
    pairById(readAuditLog(path), res.body!.request_id);
    assert.equal((await t.root.raw('DELETE', 'sys/audit/empty')).status, 204);
  });

  it('appends to its own prefixed log when enabled again with the same prefix, and refuses it with another', async () => {
    const path = join(dir, `own-${n++}.log`);
    const enable = (prefix: string) => t.root.raw<Body>('PUT', 'sys/audit/own', { type: 'file', options: { file_path: path, prefix } });
    assert.equal((await enable('AUDIT ')).status, 204);
    const first = await t.root.raw<Body>('GET', 'auth/token/lookup-self');
    assert.equal((await t.root.raw('DELETE', 'sys/audit/own')).status, 204);
    assert.equal((await enable('AUDIT ')).status, 204);
    const second = await t.root.raw<Body>('GET', 'auth/token/lookup-self');
    const lines = readAuditLog(path, 'AUDIT ');
    pairById(lines, first.body!.request_id);
    pairById(lines, second.body!.request_id);
    assert.equal((await t.root.raw('DELETE', 'sys/audit/own')).status, 204);
    const was = snapshot(path);
    await refused(t, { file_path: path, prefix: 'OTHER ' }, /is not an audit log/);
    await refused(t, { file_path: path }, /is not an audit log/);
    assert.deepEqual(snapshot(path), was);
  });
});
