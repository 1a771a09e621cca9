import assert from 'node:assert/strict';
import fs, { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileSink } from './file-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-file-sink-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const sinkAt = (path = join(dir, `audit-${n++}.log`), mode: number | null = 0o600) => ({
  path,
  sink: new FileSink({ path, mode, prefix: '', checkPath: async () => undefined }),
});

/** A line that looks like the start of an audit entry: what an existing log must begin with. */
const entry = (tag: string) => `{"time":"2025-01-02T03:04:05.000000006Z","type":"request","tag":"${tag}"}\n`;
const tags = (path: string) => lines(path).map((l) => JSON.parse(l).tag);

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');

describe('file sink', () => {
  it('appends whole lines, in order, from many concurrent writers', async () => {
    const { path, sink } = sinkAt();
    await sink.open();
    await Promise.all(Array.from({ length: 200 }, (_, i) => sink.write(`{"n":${i}}\n`, i % 2 === 0)));
    await sink.close();
    assert.deepEqual(lines(path).map((l) => JSON.parse(l).n), Array.from({ length: 200 }, (_, i) => i));
  });

  it('creates the file with the mode asked, and sets it on an existing file', async () => {
    const { path, sink } = sinkAt(undefined, 0o640);
    await sink.open();
    await sink.close();
    assert.equal(statSync(path).mode & 0o777, 0o640);
    const existing = join(dir, 'existing.log');
    writeFileSync(existing, entry('old'));
    chmodSync(existing, 0o644);
    const again = new FileSink({ path: existing, mode: 0o600, prefix: '', checkPath: async () => undefined });
    await again.open();
    await again.write(entry('new'), true);
    await again.close();
    assert.equal(statSync(existing).mode & 0o777, 0o600);
    assert.deepEqual(tags(existing), ['old', 'new'], 'appends, never truncates');
  });

  it('leaves the mode alone with mode null ("0000")', async () => {
    const existing = join(dir, 'keep-mode.log');
    writeFileSync(existing, '');
    chmodSync(existing, 0o644);
    const { sink } = sinkAt(existing, null);
    await sink.open();
    await sink.close();
    assert.equal(statSync(existing).mode & 0o777, 0o644);
  });

  it('fails every entry written to /dev/full', async () => {
    const { sink } = sinkAt('/dev/full');
    await sink.open();
    await assert.rejects(sink.write('{"a":1}\n', false), /ENOSPC/);
    await assert.rejects(sink.write('{"a":2}\n', true), /ENOSPC/);
    await sink.close();
  });

  it('reopens the path on request: entries after it go to the new file (log rotation)', async () => {
    const { path, sink } = sinkAt();
    await sink.open();
    await sink.write('before\n', true);
    renameSync(path, `${path}.1`);
    await sink.write('still-old\n', true);
    await sink.reopen();
    await sink.write('after\n', true);
    await sink.close();
    assert.deepEqual(lines(`${path}.1`), ['before', 'still-old']);
    assert.deepEqual(lines(path), ['after']);
  });

  it('fails entries while the path cannot be opened, and works again once it can', async () => {
    const sub = join(dir, 'moving');
    const { path, sink } = sinkAt(join(sub, 'audit.log'));
    await assert.rejects(sink.open(), /ENOENT/);
    await assert.rejects(sink.write('lost\n', true), /ENOENT/);
    mkdirSync(sub);
    await sink.write(entry('found'), true);
    renameSync(sub, `${sub}-gone`);
    await assert.rejects(sink.reopen(), /ENOENT/);
    await assert.rejects(sink.write(entry('refused'), true), /ENOENT/);
    renameSync(`${sub}-gone`, sub);
    await sink.write(entry('back'), true);
    await sink.close();
    assert.deepEqual(tags(path), ['found', 'back']);
  });

  it('runs the path check before every open', async () => {
    let allowed = true;
    const path = join(dir, 'checked.log');
    const sink = new FileSink({ path, mode: 0o600, prefix: '', checkPath: async () => { if (!allowed) throw new Error('not there'); } });
    await sink.open();
    allowed = false;
    await assert.rejects(sink.reopen(), /not there/);
    await assert.rejects(sink.write('x\n', false), /not there/);
    await sink.close();
  });

  it('acknowledges a response entry only after an fdatasync that began after its write, and shares syncs among entries', async () => {
    const events: string[] = [];
    const { writeSync: realWrite, fdatasync: realSync } = fs;
    let syncs = 0;
    fs.writeSync = ((fd: number, buffer: Buffer, ...rest: unknown[]) => {
      const n = (realWrite as (...a: unknown[]) => number)(fd, buffer, ...rest);
      events.push(`write ${buffer.toString('utf8').trim().split('\n').join(' ')}`);
      return n;
    }) as typeof fs.writeSync;
    fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      const id = ++syncs;
      events.push(`sync-start ${id}`);
      realSync(fd, (err) => {
        events.push(`sync-end ${id}`);
        cb(err);
      });
    }) as typeof fs.fdatasync;
    syncBuiltinESMExports();
    try {
      const { sink } = sinkAt();
      await sink.open();
      const n = 60;
      await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          await sink.write(`r${i}\n`, false);
          await sink.write(`d${i}\n`, true);
          events.push(`ack d${i}`);
        }),
      );
      await sink.close();
    } finally {
      fs.writeSync = realWrite;
      fs.fdatasync = realSync;
      syncBuiltinESMExports();
    }
    for (let i = 0; i < 60; i++) {
      const written = events.findIndex((e) => e.startsWith('write') && e.split(' ').includes(`d${i}`));
      const acked = events.indexOf(`ack d${i}`);
      const covering = events.findIndex((e, at) => at > written && e.startsWith('sync-start'));
      assert.ok(written >= 0 && covering > written, `d${i}: no sync began after its write`);
      const id = events[covering]!.split(' ')[1];
      assert.ok(events.indexOf(`sync-end ${id}`) < acked, `d${i} acknowledged before the sync that covers it ended`);
    }
    assert.ok(syncs < 60, `group commit: ${syncs} syncs for 60 durable entries`);
  });

  it('writes entries accepted just before close, then refuses more', async () => {
    const { path, sink } = sinkAt();
    await sink.open();
    const last = sink.write('last\n', true);
    await sink.close();
    await last;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(lines(path), ['last']);
    await assert.rejects(sink.write('late\n', true), /closed/);
  });

  it('refuses entries once closed', async () => {
    const { sink } = sinkAt();
    await sink.open();
    await sink.close();
    await assert.rejects(sink.write('late\n', true), /closed/);
  });
});
