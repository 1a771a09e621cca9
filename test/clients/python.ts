import { spawnSync } from 'node:child_process';

/** Debian's python3 (where python3-hvac lives), not a pyenv shim that lacks it. */
export function pythonWithHvac(): string {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import hvac'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('python3-hvac is not installed: run `apt-get install -y python3-hvac` (.ci/run does)');
}
