/**
 * ACME validators connect to port 80 (http-01) as RFC 8555 says, so every test that answers
 * a challenge (ours, lego's, certbot's) needs that one port. Test files run in parallel
 * processes: a lock directory (mkdir is atomic) makes them take turns.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const STALE_MS = 5 * 60_000;

export async function withPortLock<T>(port: number, fn: () => Promise<T>, waitMs = 240_000): Promise<T> {
  const dir = join(tmpdir(), `coffer-test-port-${port}.lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(dir).mtimeMs > STALE_MS) rmSync(dir, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`port ${port} stayed locked by another test for ${waitMs} ms`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
