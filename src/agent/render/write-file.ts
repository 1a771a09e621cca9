/**
 * Writes a rendered file the way a reader never sees half of it: a temporary file in the
 * same directory, fsync, rename over the destination, fsync of the directory. An
 * unchanged render leaves the file (and its mtime) alone, so watchers see only real changes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Returns true when the file was written, false when it already held `content` with `perms`. */
export async function writeIfChanged(destination: string, content: string, perms: number): Promise<boolean> {
  const existing = await readFile(destination).catch(() => undefined);
  if (existing !== undefined && existing.equals(Buffer.from(content, 'utf8'))) {
    const mode = (await stat(destination)).mode & 0o7777;
    if (mode !== perms) await chmod(destination, perms);
    return false;
  }
  await writeFileAtomic(destination, content, perms);
  return true;
}

/**
 * Writes `content` to `path` with `mode` so a reader never sees half of it: the directory
 * made if missing, a temporary file beside the destination created with the final mode
 * (a secret is never readable by others, even briefly), fsync, rename, fsync of the directory.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.chmod(mode); // the umask may have narrowed the mode given to open
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  if (dirHandle) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}
