/**
 * Where a file audit device may write. The server's own directories (its storage and its
 * configuration) are off limits, whatever the path looks like: the check follows symlinks
 * to the real location, and runs before every open because links can change afterwards.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { invalidRequest } from '../../errors.js';

async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

/** The real path the file lives or would live at: the file's if it exists, else its folder's plus its name. */
async function realTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(await realOrResolved(dirname(path)), basename(path));
  }
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** Resolves when `path` may be written by a file device; throws a 400 naming the reason. */
export async function checkAuditFilePath(path: string, protectedDirs: readonly string[]): Promise<void> {
  if (!isAbsolute(path)) throw invalidRequest(`invalid audit device option "file_path": "${path}" is not an absolute path`);
  const target = await realTarget(path);
  for (const dir of protectedDirs) {
    const real = await realOrResolved(dir);
    if (inside(target, real) || inside(resolve(path), resolve(dir))) {
      throw invalidRequest(`invalid audit device option "file_path": "${path}" is inside ${dir}, a directory of the server itself`);
    }
  }
}
