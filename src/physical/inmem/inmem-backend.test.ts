import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runPhysicalConformance, byteOrder } from '../conformance.js';
import { createInmemBackend } from './inmem-backend.js';

runPhysicalConformance('inmem', async () => createInmemBackend());

describe('inmem backend', () => {
  it('keeps list order through bulk loads, deletes and re-puts', async () => {
    const b = createInmemBackend();
    const keys = Array.from({ length: 20_000 }, (_, i) => `k/${(i * 7877) % 20_000}`);
    await Promise.all(keys.map((k) => b.put(k, Buffer.from('v'))));
    const all = [...new Set(keys.map((k) => k.slice(2)))].sort(byteOrder);
    assert.deepEqual(await b.list('k/'), all);
    // Deleting most keys then re-adding a few must neither lose nor duplicate entries.
    for (let i = 0; i < 15_000; i++) await b.delete(`k/${i}`);
    for (let i = 0; i < 10; i++) await b.put(`k/${i}`, Buffer.from('v'));
    const left = all.filter((n) => Number(n) >= 15_000 || Number(n) < 10);
    assert.deepEqual(await b.list('k/'), left);
    await b.close();
    await assert.rejects(b.get('k/1'), /closed/);
  });
});
