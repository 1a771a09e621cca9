/** The bench's child processes: servers and the load generator, each printing one JSON line first. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench

export interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
  info: any;
}

/** Spawns `node <script> ...args` (a script of dist/bench) and resolves with its first stdout line, parsed. */
export function startChild(script: string, args: string[], nodeFlags: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeFlags, join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, exited, info: JSON.parse(line) }));
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`${script} exited with ${code} before printing its first line`)));
  });
}

export async function stopChild({ child, exited }: Child): Promise<void> {
  child.kill('SIGTERM');
  await exited;
}

/**
 * Runs one autocannon load (load.ts) in its own process, so the harness takes no CPU while
 * measuring. The spec goes through a file: a batch body (hundreds of KB) is past what one
 * command-line argument may hold.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-load-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  try {
    const { exited, info } = await startChild('load.js', [`@${file}`]);
    await exited;
    return info as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
