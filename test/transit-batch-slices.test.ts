/**
 * A long transit batch shares the server: other requests are answered while it runs, and an
 * item that runs after its key was deleted mid-batch fails on its own (the deleted key is never
 * used), while the items before it keep their results.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { b64, ok, startTransit, type TransitTest } from './helpers/transit.js';

/** RSA-2048 signatures cost ~1 ms each here, so this batch runs for hundreds of milliseconds. */
const ITEMS = 400;
const batch = () => Array.from({ length: ITEMS }, (_, i) => ({ input: b64(`document ${i}`), reference: String(i) }));

describe('transit batches run in slices', () => {
  let x: TransitTest;

  before(async () => {
    x = await startTransit();
    await x.write('keys/signer', { type: 'rsa-2048' });
    await x.write('keys/doomed', { type: 'rsa-2048' });
    await x.write('keys/doomed/config', { deletion_allowed: true });
  });
  after(() => x.t.close());

  it('answers a health check while a long signing batch is still running', async () => {
    const finished: string[] = [];
    const signing = x.call('POST', 'transit/sign/signer', { batch_input: batch() }).then((res) => {
      finished.push('batch');
      return res;
    });
    await sleep(20);
    const started = performance.now();
    const health = await x.t.anon.raw('GET', 'sys/health');
    const waited = performance.now() - started;
    finished.push('health');
    assert.equal(health.status, 200);
    const res = ok(await signing, 200);
    assert.deepEqual(finished, ['health', 'batch'], `the health check was answered only after the batch (${waited.toFixed(0)} ms after it was sent)`);
    const results = res.body!.data!.batch_results as { signature?: string; error?: string }[];
    assert.equal(results.length, ITEMS);
    assert.ok(results.every((r) => r.signature?.startsWith('vault:v1:') && r.error === undefined));
  });

  it('fails the items that run after their key was deleted, and only those', async () => {
    const signing = x.call('POST', 'transit/sign/doomed', { batch_input: batch() });
    await sleep(20);
    const deleted = await x.call('DELETE', 'transit/keys/doomed');
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    const res = await signing;
    // As in Vault, a signing batch answers 200 and puts each item's error in its place.
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    const results = res.body!.data!.batch_results as { signature?: string; error?: string; reference: string }[];
    assert.equal(results.length, ITEMS);
    const firstFailed = results.findIndex((r) => r.error !== undefined);
    assert.ok(firstFailed > 0, 'items before the delete were signed');
    assert.ok(results.slice(0, firstFailed).every((r) => r.signature?.startsWith('vault:v1:')));
    for (const r of results.slice(firstFailed)) {
      assert.equal(r.signature ?? '', '');
      assert.match(r.error!, /the key changed while the request ran/);
    }
    assert.equal(results[ITEMS - 1]!.reference, String(ITEMS - 1));
  });
});
