/**
 * A subscriber that stops reading must not slow anything down: its bounded queue fills and
 * the server closes it (1008) while kv writes go on at their speed and a subscriber that
 * keeps reading gets every event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { mustSubscribe } from './helpers/events.js';

const MAX_EVENTS = 64;
const MAX_BYTES = 256 * 1024;
/** Long secret paths make big events: the kernel's socket buffers fill after a few MB. */
const LONG = 'p'.repeat(4000);
const WRITES = 700;
const CONCURRENCY = 16;

describe('sys/events/subscribe with a slow subscriber', () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, { eventStreams: { maxQueuedEvents: MAX_EVENTS, maxQueuedBytes: MAX_BYTES, closeGraceMs: 30_000 } });
  });
  after(() => t.close());

  /** Writes `n` secrets under `prefix`, CONCURRENCY at a time; resolves with the elapsed ms. */
  const writeMany = async (prefix: string, n: number): Promise<number> => {
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const res = await t.root.raw('POST', `secret/data/${prefix}/${LONG}/${i}`, { data: { n: i } });
        assert.equal(res.status, 200);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return performance.now() - started;
  };

  it('closes a subscriber that never reads, while writes keep their speed and others get everything', async () => {
    const reader = await mustSubscribe(t, 'kv-v2/data-write');
    const baseline = await writeMany('warm', WRITES);
    assert.equal((await reader.drain(300)).length, WRITES);

    const slow = await mustSubscribe(t, 'kv-v2/data-write');
    slow.ws.pause();
    const withSlow = await writeMany('load', WRITES);

    // The reader got every event of the second round too.
    const deadline = Date.now() + 10_000;
    while (reader.received.length < 2 * WRITES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(reader.received.length, 2 * WRITES);
    assert.ok(withSlow < baseline * 2 + 1000, `writes slowed down by a stalled subscriber: ${withSlow.toFixed(0)} ms against ${baseline.toFixed(0)} ms`);

    // Once it reads again it finds what the kernel held, then the server's close.
    slow.ws.resume();
    const closed = await Promise.race([slow.closed, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    assert.ok(closed, 'the slow subscriber was closed');
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /subscriber too slow/);
    assert.ok(slow.received.length < WRITES, `it missed events rather than holding the server up (${slow.received.length})`);
  });
});
