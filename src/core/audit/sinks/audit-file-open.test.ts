import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, openSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openAuditFile } from './audit-file-open.js';
import { FileSink } from './file-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ENTRY = '{"time":"2025-01-02T03:04:05.000000006Z","type":"response","auth":{}}\n';
let n = 0;
const file = (content: string | null, mode = 0o644) => {
  const path = join(dir, `f-${n++}`);
  if (content !== null) {
    writeFileSync(path, content);
    chmodSync(path, mode);
  }
  return path;
};

/** Opens and closes; resolves with what the opener said. */
async function opens(path: string, mode: number | null = 0o600, prefix = '') {
  const opened = await openAuditFile(path, mode, prefix);
  closeSync(opened.fd);
  return opened;
}

/** The file is refused with a 400 matching `pattern`, and its content and mode are as before. */
async function refused(path: string, pattern: RegExp, prefix = '') {
  const before = existsSync(path) && statSync(path).isFile() ? { text: readFileSync(path, 'utf8'), mode: statSync(path).mode } : null;
  await assert.rejects(openAuditFile(path, 0o600, prefix), (err: Error & { status?: number }) => {
    assert.equal(err.status, 400);
    assert.match(err.message, pattern);
    assert.match(err.message, /"file_path"/);
    return true;
  });
  if (before) {
    assert.equal(readFileSync(path, 'utf8'), before.text, 'content unchanged');
    assert.equal(statSync(path).mode, before.mode, 'mode unchanged');
  }
}

describe('which files a file audit device may open', () => {
  it('creates a missing file with the mode asked', async () => {
    const path = file(null);
    const opened = await opens(path, 0o640);
    assert.equal(opened.regular, true);
    assert.equal(opened.midLine, false);
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it('takes an empty file and sets its mode', async () => {
    const path = file('', 0o644);
    await opens(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('takes a log that begins with an audit entry, and says when its last line is unfinished', async () => {
    assert.equal((await opens(file(ENTRY))).midLine, false);
    assert.equal((await opens(file(ENTRY + '{"time":"2025-01-02T03:04:0'))).midLine, true);
    assert.equal((await opens(file(`AUDIT ${ENTRY}`), 0o600, 'AUDIT ')).midLine, false);
  });

  it('refuses a file that holds anything else, leaving content and mode alone', async () => {
    await refused(file('* * * * * root touch /tmp/pwned\n'), /is not an audit log/);
    await refused(file(`ssh-ed25519 AAAA ${ENTRY}`), /is not an audit log/);
    await refused(file(' ' + ENTRY), /is not an audit log/);
    await refused(file('{"time":"x","type":"request"}\n'), /is not an audit log/);
    await refused(file('{"time":"2025-01-02T03:04:05Z","type":"other"}\n'), /is not an audit log/);
  });

  it('checks the prefix: a prefixed log is not one of a device without it, and the other way round', async () => {
    await refused(file(`AUDIT ${ENTRY}`), /is not an audit log/);
    await refused(file(ENTRY), /is not an audit log/, 'AUDIT ');
    await refused(file('* * * * * root touch /tmp/pwned # \n'), /is not an audit log/, '* * * * * root touch /tmp/pwned # ');
  });

  it('refuses a file with any execute bit, even an empty one or a log', async () => {
    await refused(file('', 0o700), /is executable/);
    await refused(file(ENTRY, 0o601), /is executable/);
    await refused(file('#!/bin/sh\n', 0o755), /is executable/);
  });

  it('never follows a symbolic link, to a file or to where none is yet', async () => {
    const target = file(ENTRY);
    const link = join(dir, `link-${n++}`);
    symlinkSync(target, link);
    await refused(link, /symbolic link/);
    const nowhere = join(dir, `nowhere-${n++}`);
    const dangling = join(dir, `dangling-${n++}`);
    symlinkSync(nowhere, dangling);
    await refused(dangling, /symbolic link/);
    assert.equal(existsSync(nowhere), false, 'nothing created at the end of the link');
  });

  it('takes /dev/null, /dev/full and a FIFO; refuses other devices and directories', async () => {
    assert.equal((await opens('/dev/null', 0o600)).regular, false);
    assert.equal((await opens('/dev/full', 0o600)).regular, false);
    await refused('/dev/zero', /is a device/);
    await assert.rejects(openAuditFile(dir, 0o600, ''), /EISDIR|not a regular file/);
    const fifo = join(dir, `fifo-${n++}`);
    execFileSync('mkfifo', [fifo]);
    // Opened read-write by a reader here, so the device's write-only open does not wait.
    const reader = openSync(fifo, constants.O_RDWR);
    try {
      assert.equal((await opens(fifo)).regular, false);
    } finally {
      closeSync(reader);
    }
  });

  it('ends an unfinished last line before the next entry', async () => {
    const path = file(ENTRY + '{"time":"cut');
    const sink = new FileSink({ path, mode: 0o600, prefix: '', checkPath: async () => undefined });
    await sink.open();
    await sink.write(ENTRY, true);
    await sink.close();
    assert.deepEqual(readFileSync(path, 'utf8').split('\n'), [ENTRY.trim(), '{"time":"cut', ENTRY.trim(), '']);
  });
});
