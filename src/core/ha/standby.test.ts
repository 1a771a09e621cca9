import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HaManager } from './ha-manager.js';
import { whileActive } from './standby.js';

/** What whileActive reads of the manager: its epoch, whether it competes, and check(). */
function fakeHa() {
  const ha = { epoch: 0, isRunning: true, mode: 'active' as 'active' | 'standby' | 'lost', check: () => ha.mode };
  return ha;
}

describe('whileActive', () => {
  it('answers while the node stays active', async () => {
    const ha = fakeHa();
    assert.equal(await whileActive(ha as unknown as HaManager, async () => 'ok'), 'ok');
  });

  it('refuses an answer whose lease went stale during the request, before any renewal noticed', async () => {
    const ha = fakeHa();
    // The process was paused past the TTL: the epoch has not moved yet, but check() finds the lease stale.
    const run = whileActive(ha as unknown as HaManager, async () => {
      ha.mode = 'lost';
      return 'read before the pause';
    });
    await assert.rejects(run, (err: Error & { status?: number }) => err.status === 503 && /stopped being the active node/.test(err.message));
  });

  it('refuses an answer when the node was demoted during the request', async () => {
    const ha = fakeHa();
    const run = whileActive(ha as unknown as HaManager, async () => {
      ha.epoch++;
      ha.mode = 'standby';
      return 'stale';
    });
    await assert.rejects(run, (err: Error & { status?: number }) => err.status === 503);
  });

  it('lets the answer stand when the node stopped competing (sealed by the request)', async () => {
    const ha = fakeHa();
    const run = whileActive(ha as unknown as HaManager, async () => {
      ha.isRunning = false;
      ha.epoch++;
      ha.mode = 'standby';
      return 'sealed';
    });
    assert.equal(await run, 'sealed');
  });
});
