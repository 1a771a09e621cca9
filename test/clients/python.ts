import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's python3 (where python3-hvac lives), not a pyenv shim that lacks it. */
export function pythonWithHvac(): string {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import hvac'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('python3-hvac is not installed: run `apt-get install -y python3-hvac` (.ci/run does)');
}

/**
 * Runs one of the hvac scripts beside these tests (test/clients/<name>) with `args`, in a
 * child process (the server under test runs in this one and must keep serving), and
 * resolves with its exit code and everything it printed. `env` adds to this process's
 * environment (trustEnv in test/helpers/dev-server.ts, for a TLS listener).
 */
export async function runHvacScript(name: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  // The scripts ship beside the TypeScript source; tests run from dist/.
  const script = fileURLToPath(new URL(`../../../test/clients/${name}`, import.meta.url));
  const child = spawn(pythonWithHvac(), [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { code, out };
}
