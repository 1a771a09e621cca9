/**
 * Writes a rendered file the way a reader never sees half of it: a temporary file in the
 * same directory, fsync, chmod, rename over the destination, fsync of the directory. An
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
  const dir = dirname(destination);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(destination)}.${randomBytes(6).toString('hex')}.tmp`);
  // Created with the final mode, so a secret file is never readable by others, even briefly.
  const handle = await open(temp, 'wx', perms);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(perms); // the umask may have narrowed the mode given to open
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, destination);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  if (dirHandle) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
  return true;
}
