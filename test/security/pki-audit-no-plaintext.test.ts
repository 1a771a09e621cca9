/**
 * Security invariant for the PKI engine: a private key the server answers (an exported root)
 * or an issued leaf's key never reaches an audit log in clear. A log_raw device beside the hashed one holds it, so
 * the search is shown to be able to find it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPki, type PkiTest } from '../helpers/pki.js';

/** The base64 body of a PEM, one line: what would leak even with the armour lines cut. */
const pemBodyLines = (pem: string) => pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));

describe('PKI private keys in the audit log', () => {
  let x: PkiTest;
  before(async () => {
    x = await startPki();
  });
  after(() => x.t.close());

  it('holds no line of an exported root key or an issued key, which a raw device does hold', async () => {
    const hashed = join(x.dir, 'hashed.log');
    const raw = join(x.dir, 'raw.log');
    assert.equal((await x.t.root.raw('PUT', 'sys/audit/hashed', { type: 'file', options: { file_path: hashed } })).status, 204);
    assert.equal((await x.t.root.raw('PUT', 'sys/audit/raw', { type: 'file', options: { file_path: raw, log_raw: true } })).status, 204);
    const d = await x.write('root/generate/exported', { common_name: 'audited', key_type: 'ec' });
    await x.write('roles/r', { allow_any_name: true });
    // A leaf may not outlive its root: both would default to the mount's default TTL.
    const leaf = await x.write('issue/r', { common_name: 'leaf.test', ttl: '1h' });
    const lines = [...pemBodyLines(d.private_key), ...pemBodyLines(leaf.private_key)];
    assert.ok(lines.length >= 2);
    // Raw log entries are JSON: the newlines of the PEM are escaped there.
    const rawText = readFileSync(raw, 'utf8');
    for (const l of lines) assert.ok(rawText.includes(l), 'the raw device records the key (the search works)');
    const hashedText = readFileSync(hashed, 'utf8');
    assert.ok(hashedText.includes('root/generate/exported') && hashedText.includes('issue/r'));
    for (const l of lines) assert.equal(hashedText.includes(l), false, 'a line of the private key is in the hashed audit log');
  });
});
