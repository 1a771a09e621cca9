import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillRandom, randomByte } from './random-pool.js';

test('random pool: values are never handed out twice, across refills and sizes', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const nonce = Buffer.alloc(12);
    fillRandom(nonce);
    const hex = nonce.toString('hex');
    assert.ok(!seen.has(hex), 'a repeated 96-bit value');
    seen.add(hex);
  }
  const big = Buffer.alloc(10_000); // larger than the pool: filled directly
  fillRandom(big);
  assert.ok(big.some((b) => b !== 0));
  const bytes = new Set(Array.from({ length: 4000 }, () => randomByte()));
  assert.ok(bytes.size > 200, `only ${bytes.size} distinct byte values in 4,000 draws`);
});
