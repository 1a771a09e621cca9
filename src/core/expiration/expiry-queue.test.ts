import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExpiryQueue } from './expiry-queue.js';

describe('ExpiryQueue', () => {
  it('fires keys in time order, each once, at their time', async () => {
    const fired: [string, number][] = [];
    const start = Date.now();
    const q = new ExpiryQueue({ onDue: async (k) => void fired.push([k, Date.now() - start]) });
    q.schedule('c', start + 90);
    q.schedule('a', start + 30);
    q.schedule('b', start + 60);
    await sleep(150);
    await q.drain();
    assert.deepEqual(fired.map(([k]) => k), ['a', 'b', 'c']);
    for (const [k, at] of fired) assert.ok(at >= { a: 30, b: 60, c: 90 }[k]! - 2, `${k} fired early at ${at}`);
    assert.equal(q.size, 0);
  });

  it('a reschedule replaces the earlier time and a cancel removes the key', async () => {
    const fired: string[] = [];
    const now = Date.now();
    const q = new ExpiryQueue({ onDue: async (k) => void fired.push(k) });
    q.schedule('later', now + 20);
    q.schedule('later', now + 80);
    q.schedule('gone', now + 20);
    q.cancel('gone');
    await sleep(50);
    await q.drain();
    assert.deepEqual(fired, []);
    assert.equal(q.when('later'), now + 80);
    await sleep(60);
    await q.drain();
    assert.deepEqual(fired, ['later']);
  });

  it('runs no more than `concurrency` callbacks at once and survives their failures', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    const q = new ExpiryQueue({
      concurrency: 4,
      onDue: async (k) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(2);
        running--;
        done++;
        if (k.endsWith('7')) throw new Error('revoke failed');
      },
    });
    const past = Date.now() - 1;
    for (let i = 0; i < 100; i++) q.schedule(`k${i}`, past);
    await q.drain();
    assert.equal(done, 100);
    assert.equal(peak, 4);
  });

  it('fires nothing after stop', async () => {
    const fired: string[] = [];
    const q = new ExpiryQueue({ onDue: async (k) => void fired.push(k) });
    q.schedule('x', Date.now() + 10);
    q.stop();
    q.schedule('y', Date.now());
    await sleep(30);
    assert.deepEqual(fired, []);
    assert.equal(q.size, 0);
  });
});
