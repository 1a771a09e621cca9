/**
 * Opening the file of a file audit device without letting that device write somewhere it
 * should not. Whoever may enable a device chooses the path; a server running as root could
 * otherwise append lines to /etc/cron.d/*, authorized_keys or a shell script, or change
 * their mode (the class of CVE-2025-6000). The rules, checked on the descriptor that will be
 * written, so a file swapped in between the checks and the writes is the one checked:
 *
 * - the last component of the path is never followed when it is a symbolic link
 *   (O_NOFOLLOW): a link can be turned towards any file after the device was enabled;
 * - a regular file with any execute bit is refused;
 * - an existing regular file must be empty, or begin with an audit entry in the format
 *   this device writes: its prefix, then `{"time":"…","type":"request"` (or "response").
 *   No file that matters to another program starts that way, and every log a device wrote
 *   does, so the device can reopen its own log after a restart or a SIGHUP;
 * - of other kinds of file, only a FIFO (a log shipper reading a named pipe) and the null
 *   and full devices are accepted; block devices, sockets and other character devices
 *   (/dev/mem, terminals) are refused.
 *
 * The mode is changed only after the file passed these rules.
 */
import { close, constants, fchmod, fstat, lstat, open, read, stat, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { invalidRequest } from '../../../errors.js';

// Plain descriptors, not FileHandles: the sink keeps the descriptor for as long as the
// device lives, and a FileHandle closes it when the handle object is collected.
const openAsync = promisify(open);
const closeAsync = promisify(close);
const fstatAsync = promisify(fstat);
const fchmodAsync = promisify(fchmod);
const lstatAsync = promisify(lstat);
const statAsync = promisify(stat);
const readAsync = (fd: number, buffer: Buffer, position: number) =>
  new Promise<number>((resolve, reject) => read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n))));

export interface OpenedAuditFile {
  fd: number;
  /** A regular file, which can be synced. */
  regular: boolean;
  /** The file ends in the middle of a line (a write cut short before a crash): start a new one. */
  midLine: boolean;
}

const APPEND = constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
/** How far into an existing file the first entry's start is read. */
const HEAD_BYTES = 96;
const ENTRY_START = /^\{"time":"[0-9T:.+\-Z]{10,40}","type":"(request|response)"/;

const refuse = (path: string, problem: string) => invalidRequest(`invalid audit device option "file_path": "${path}" ${problem}`);

/** Character devices that take writes and keep nothing: /dev/null, and /dev/full for tests of failing writes. */
let harmlessDevices: Promise<Set<number>> | undefined;
function harmlessDeviceIds(): Promise<Set<number>> {
  harmlessDevices ??= Promise.all(['/dev/null', '/dev/full'].map((p) => statAsync(p).then((s) => s.rdev, () => -1))).then(
    (ids) => new Set(ids.filter((id) => id >= 0)),
  );
  return harmlessDevices;
}

/** Opens `path` to append audit entries, or throws a 400 naming why it may not be written. */
export async function openAuditFile(path: string, mode: number | null, prefix: string): Promise<OpenedAuditFile> {
  // A file that is not there, or a regular one, is opened for reading too, to check what it
  // holds. Anything else is opened write-only, as before: opening a FIFO for reading would
  // stop the open from waiting for its reader.
  const before = await lstatAsync(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (before?.isSymbolicLink()) throw refuse(path, 'is a symbolic link; give the path of the file itself');
  const readable = before === null || before.isFile();
  let fd: number;
  try {
    fd = await openAsync(path, APPEND | (readable ? constants.O_RDWR : constants.O_WRONLY), mode ?? 0o600);
  } catch (err) {
    // O_NOFOLLOW answers ELOOP when the path became a link after the lstat.
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw refuse(path, 'is a symbolic link; give the path of the file itself');
    throw err;
  }
  try {
    const st = await fstatAsync(fd);
    const opened = await check(fd, st, path, readable, prefix);
    if (opened.regular && mode !== null && (st.mode & 0o777) !== mode) await fchmodAsync(fd, mode);
    return { fd, ...opened };
  } catch (err) {
    await closeAsync(fd).catch(() => undefined);
    throw err;
  }
}

async function check(fd: number, st: Stats, path: string, readable: boolean, prefix: string): Promise<Omit<OpenedAuditFile, 'fd'>> {
  if (st.isFIFO()) return { regular: false, midLine: false };
  if (st.isCharacterDevice()) {
    if ((await harmlessDeviceIds()).has(st.rdev)) return { regular: false, midLine: false };
    throw refuse(path, 'is a device; use a regular file, a FIFO, "stdout" or "discard"');
  }
  if (!st.isFile()) throw refuse(path, 'is not a regular file');
  if ((st.mode & 0o111) !== 0) throw refuse(path, 'is executable; an audit log never has an execute bit');
  if (st.size === 0) return { regular: true, midLine: false };
  // It was something else when looked at before opening: it changed under us.
  if (!readable) throw refuse(path, 'changed while it was being opened');
  const head = Buffer.alloc(Math.min(st.size, Buffer.byteLength(prefix) + HEAD_BYTES));
  const bytesRead = await readAsync(fd, head, 0);
  const text = head.subarray(0, bytesRead).toString('utf8');
  if (!text.startsWith(prefix) || !ENTRY_START.test(text.slice(prefix.length))) {
    throw refuse(path, `exists and is not an audit log of this device (a non-empty file must begin with ${prefix ? 'its prefix and ' : ''}an audit entry); choose a new file, or empty this one`);
  }
  const last = Buffer.alloc(1);
  await readAsync(fd, last, st.size - 1);
  return { regular: true, midLine: last[0] !== 0x0a };
}
