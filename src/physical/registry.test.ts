import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPhysical, type PhysicalType } from './registry.js';

describe('openPhysical', () => {
  it('opens inmem and sqlite backends', async () => {
    const mem = await openPhysical('inmem', {});
    assert.equal(mem.name, 'inmem');
    await mem.close();
    const dir = mkdtempSync(join(tmpdir(), 'coffer-registry-'));
    try {
      const db = await openPhysical('sqlite', { path: join(dir, 'data', 'coffer.db') });
      assert.equal(db.name, 'sqlite');
      await db.put('k', Buffer.from('v'));
      assert.equal((await db.get('k'))?.toString(), 'v');
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown type and a sqlite config without path', async () => {
    await assert.rejects(openPhysical('consul' as PhysicalType, {}), /unknown storage type.*consul|consul.*unknown storage type/);
    await assert.rejects(openPhysical('sqlite', {}), /"path" setting is required/);
  });
});
