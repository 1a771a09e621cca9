import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../logging/logger.js';
import { createSupervisor } from './supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-supervisor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const read = (name: string) => {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return '';
  }
};
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('exec supervisor', () => {
  it('restarts the child with the new environment after stopping it with restart_stop_signal', async () => {
    let env = { SECRET: 'one' };
    const exits: number[] = [];
    const log = join(dir, 'restart');
    const script = `trap 'echo "stop $SECRET" >> ${log}; exit 0' USR1; echo "start $SECRET" >> ${log}; while true; do sleep 0.05; done`;
    const sup = createSupervisor({
      exec: { command: ['sh', '-c', script], restartOnSecretChanges: 'always', restartStopSignal: 'SIGUSR1' },
      env: () => env,
      logger: silentLogger,
      onExit: (c) => exits.push(c),
    });
    sup.start();
    await until(() => read('restart').includes('start one'));
    env = { SECRET: 'two' };
    await sup.restart();
    await until(() => read('restart').includes('start two'));
    assert.deepEqual(read('restart').trim().split('\n'), ['start one', 'stop one', 'start two']);
    assert.deepEqual(exits, [], 'a restart is not the application exiting');
    assert.equal(await sup.stop('SIGKILL'), 137);
  });

  it('folds changes that come during a restart into one more restart, and starts nothing after stop', async () => {
    let n = 0;
    const log = join(dir, 'fold');
    const sup = createSupervisor({
      exec: { command: ['sh', '-c', `echo "start $N" >> ${log}; exec sleep 30`], restartOnSecretChanges: 'always', restartStopSignal: 'SIGTERM' },
      env: () => ({ N: String(n) }),
      logger: silentLogger,
      onExit: () => undefined,
    });
    sup.start();
    await until(() => read('fold').includes('start 0'));
    n = 1;
    const a = sup.restart();
    n = 2;
    const b = sup.restart();
    const c = sup.restart();
    await Promise.all([a, b, c]);
    // Two restarts at most (the second may stop the first's child before it printed).
    await until(() => read('fold').trim().endsWith('start 2'));
    await new Promise((r) => setTimeout(r, 300)); // the last child has printed by now
    const before = read('fold').trim().split('\n');
    assert.ok(before.length <= 3, before.join(','));
    assert.ok(sup.pid() !== undefined);
    const stopped = sup.stop();
    void sup.restart();
    await stopped;
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(read('fold').trim().split('\n'), before, 'nothing started after stop');
    assert.equal(sup.pid(), undefined, 'no child after stop');
  });

  it('kills a child that ignores the stop signal after the grace period', async () => {
    const exits: number[] = [];
    const sup = createSupervisor({
      exec: { command: ['sh', '-c', `trap '' TERM; echo up > ${join(dir, 'stubborn')}; while true; do sleep 0.05; done`], restartOnSecretChanges: 'always', restartStopSignal: 'SIGTERM' },
      env: () => ({}),
      logger: silentLogger,
      onExit: (c) => exits.push(c),
      graceMs: 300,
    });
    sup.start();
    await until(() => read('stubborn').includes('up'));
    const started = Date.now();
    assert.equal(await sup.stop(), 137);
    assert.ok(Date.now() - started >= 250, 'waited for the grace period');
    assert.deepEqual(exits, []);
  });
});
