/** The bench's child processes: servers and the load generator, each printing one JSON line first. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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
