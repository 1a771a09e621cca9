/**
 * Security invariant: audit is fail-closed. With real devices: a request no enabled device
 * can record is refused (500) before its handler runs, an answer that cannot be recorded
 * is not returned, and one device that records is enough.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pairById, readAuditLog } from '../helpers/audit-log.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { assertErrorBody } from './helpers.js';

type Body = Record<string, any>;
const SECRET = 'audited-plaintext';

function assertRefused(res: { status: number; body: Body | null }, context: string): void {
  assert.equal(res.status, 500, `${context}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(assertErrorBody(res, context), ['internal error'], 'a refusal says nothing about the devices');
  assert.ok(!JSON.stringify(res.body).includes(SECRET), `${context}: a secret left without its audit entry`);
}

describe('Audit is fail-closed', () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    t = await startDevServer();
    dir = mkdtempSync(join(tmpdir(), 'coffer-fail-closed-'));
    await t.root.write('cubbyhole/audited', { password: SECRET });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every request with 500, before its handler runs, when the only device cannot write (/dev/full)', async () => {
    // Opening /dev/full works; every write to it fails with ENOSPC (unlike chmod, even for root).
    assert.equal((await t.root.raw('PUT', 'sys/audit/full', { type: 'file', options: { file_path: '/dev/full' } })).status, 204);
    try {
      assertRefused(await t.root.raw('PUT', 'cubbyhole/unaudited', { password: 'never-written' }), 'unaudited write');
      assertRefused(await t.root.raw('GET', 'cubbyhole/audited'), 'secret read');
      assertRefused(await t.client('bad-token').raw('GET', 'cubbyhole/audited'), 'refused read');
      assertRefused(await t.root.raw('DELETE', 'sys/audit/full'), 'even disabling the device needs an audit entry');
    } finally {
      // The operator's way out (fixing the disk) is not an API call: take the device away below it.
      await t.server.core.auditDevices.disable('full');
    }
    assert.equal((await t.root.raw('GET', 'cubbyhole/unaudited')).status, 404, 'the handler ran although the request was not audited');
  });

  it('answers when at least one device records, and that device has both entries', async () => {
    const log = join(dir, 'working.log');
    assert.equal((await t.root.raw('PUT', 'sys/audit/working', { type: 'file', options: { file_path: log } })).status, 204);
    assert.equal((await t.root.raw('PUT', 'sys/audit/full', { type: 'file', options: { file_path: '/dev/full' } })).status, 204);
    try {
      const res = await t.root.raw<Body>('GET', 'cubbyhole/audited');
      assert.equal(res.status, 200);
      assert.equal(res.body!.data.password, SECRET);
      pairById(readAuditLog(log), res.body!.request_id);
    } finally {
      for (const p of ['full', 'working']) assert.equal((await t.root.raw('DELETE', `sys/audit/${p}`)).status, 204);
    }
  });

  it('does not return an answer that no device could record (a syslog datagram too large)', async () => {
    // The request entry of the read is small; its response entry, with 2,000 hashed values, is
    // larger than any UDP datagram: the request stage passes and the response stage fails.
    const big = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key${i}`, i === 0 ? SECRET : `v${i}`]));
    await t.root.write('cubbyhole/big', big);
    const receiver = createSocket('udp4');
    let received = 0;
    receiver.on('message', () => received++);
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    try {
      const options = { address: `127.0.0.1:${receiver.address().port}` };
      assert.equal((await t.root.raw('PUT', 'sys/audit/syslog', { type: 'syslog', options })).status, 204);
      assertRefused(await t.root.raw('GET', 'cubbyhole/big'), 'oversized answer');
      assert.ok(received >= 1, 'the request entry did go out');
      assert.equal((await t.root.raw('DELETE', 'sys/audit/syslog')).status, 204);
    } finally {
      receiver.close();
    }
  });

  it('refuses requests after a SIGHUP whose reopen cannot open the file, and recovers once it can', async () => {
    const folder = join(dir, 'rotating');
    mkdirSync(folder);
    assert.equal((await t.root.raw('PUT', 'sys/audit/rotating', { type: 'file', options: { file_path: join(folder, 'audit.log') } })).status, 204);
    try {
      assert.equal((await t.root.raw('GET', 'cubbyhole/audited')).status, 200);
      renameSync(folder, `${folder}-moved`);
      process.kill(process.pid, 'SIGHUP'); // start-server.ts listens: every audit device reopens
      const deadline = Date.now() + 5000;
      let res = await t.root.raw<Body>('GET', 'cubbyhole/audited');
      while (res.status === 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        res = await t.root.raw<Body>('GET', 'cubbyhole/audited');
      }
      assertRefused(res, 'read after a failed reopen');
      renameSync(`${folder}-moved`, folder);
      const back = await t.root.raw<Body>('GET', 'cubbyhole/audited');
      assert.equal(back.status, 200, 'the device opens its file again once it can');
      pairById(readAuditLog(join(folder, 'audit.log')), back.body!.request_id);
    } finally {
      await t.server.core.auditDevices.disable('rotating');
    }
  });
});
