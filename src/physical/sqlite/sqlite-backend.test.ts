import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runPhysicalConformance } from '../conformance.js';
import { SqliteBackend } from './sqlite-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-sqlite-'));
let n = 0;
// A fresh file per test; the extra folder level checks that open() creates parents.
const freshPath = (): string => join(dir, `db${n++}`, 'coffer.db');

runPhysicalConformance('sqlite', async () => SqliteBackend.open(freshPath()));

describe('sqlite backend', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across close and reopen; close commits queued writes', async () => {
    const path = freshPath();
    const b = SqliteBackend.open(path);
    await b.put('a/b', Buffer.from('1'));
    void b.put('a/c', Buffer.from('2')); // not awaited: close must still commit it
    await b.close();
    await assert.rejects(b.get('a/b'), /closed/);
    const again = SqliteBackend.open(path);
    assert.equal((await again.get('a/b'))?.toString(), '1');
    assert.equal((await again.get('a/c'))?.toString(), '2');
    assert.deepEqual(await again.list('a/'), ['b', 'c']);
    await again.close();
  });

  it('every acknowledged write survives kill -9 of the writer', async (t) => {
    const path = freshPath();
    const script = join(dir, 'durability-writer.mjs');
    // Prints a key only after its put resolved, i.e. after its batch committed.
    writeFileSync(
      script,
      `const { SqliteBackend } = await import(process.argv[2]);
const db = SqliteBackend.open(process.argv[3]);
let next = 0;
async function writer() {
  for (;;) {
    const k = next++;
    await db.put('d/' + k, Buffer.from('value-' + k));
    process.stdout.write(k + '\\n');
  }
}
for (let i = 0; i < 64; i++) writer();
`,
    );
    const moduleUrl = new URL('./sqlite-backend.js', import.meta.url).href;
    const child = spawn(process.execPath, [script, moduleUrl, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let killTimer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000); // never hang the suite
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 300);
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    clearTimeout(guard);
    clearTimeout(killTimer);
    assert.equal(signal, 'SIGKILL');
    const lines = out.split('\n');
    lines.pop(); // an unterminated last line may be cut mid-write
    const acked = lines.map(Number);
    assert.ok(acked.length > 100, `only ${acked.length} writes acknowledged`);
    t.diagnostic(`${acked.length} acknowledged writes before SIGKILL, all checked after reopen`);
    const b = SqliteBackend.open(path);
    for (const k of acked) assert.equal((await b.get(`d/${k}`))?.toString(), `value-${k}`, `key d/${k}`);
    await b.close();
  });

  it('group-commits concurrent writers into few transactions', async (t) => {
    const b = SqliteBackend.open(freshPath());
    const before = b.commits;
    await Promise.all(Array.from({ length: 1000 }, (_, i) => b.put(`g/${i}`, Buffer.from(`v${i}`))));
    const used = b.commits - before;
    t.diagnostic(`1000 concurrent puts committed in ${used} transaction(s)`);
    assert.ok(used >= 1 && used <= 10, `${used} commits`);
    assert.equal((await b.list('g/')).length, 1000);
    await b.close();
  });

  it('a caller whose op fails in the shared batch is rejected alone', async () => {
    const path = freshPath();
    await SqliteBackend.open(path).close();
    // A real SQLite failure (no mock): a trigger that aborts inserts of "poison" keys.
    const raw = new Database(path);
    raw.exec(`CREATE TRIGGER no_poison BEFORE INSERT ON kv WHEN NEW.key LIKE 'poison%'
              BEGIN SELECT RAISE(ABORT, 'poisoned key'); END`);
    raw.close();
    const b = SqliteBackend.open(path);
    const results = await Promise.allSettled([
      b.put('ok/1', Buffer.from('1')),
      b.put('poison/1', Buffer.from('x')),
      b.transaction([
        { kind: 'put', key: 'ok/tx', value: Buffer.from('t') },
        { kind: 'put', key: 'poison/2', value: Buffer.from('x') },
      ]),
      b.delete('ok/none'),
      b.put('ok/2', Buffer.from('2')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /poisoned key/);
    assert.deepEqual(await b.list('ok/'), ['1', '2']); // the failed transaction left no ok/tx
    assert.deepEqual(await b.list(''), ['ok/']);
    await b.close();
  });
});
