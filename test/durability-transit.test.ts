/**
 * Transit across kill -9: a server on SQLite storage is killed with SIGKILL while clients
 * encrypt, rotate the keys they encrypt with and create keys by encrypting to new names. A
 * ciphertext the server handed out is only worth something if its key version is on disk,
 * so after a restart every acknowledged ciphertext must decrypt to its plaintext, every
 * acknowledged rotation must be there, and every key made by an acknowledged upsert too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { cleanUpDurableServers, client, expectRestartedSealed, initialize, killHard, sqliteConfig, startDurable, unseal, type Call } from './helpers/durable-server.js';

const ENCRYPTERS = 16;
/** Each rotated all the time by a client of its own: more chances for the kill to land mid-rotation. */
const ROTATED = ['app-0', 'app-1', 'app-2', 'app-3'];
const RUN_FOR_MS = 1500;

after(cleanUpDurableServers);

interface Sealed {
  key: string;
  plaintext: string;
  ciphertext: string;
}

describe('durability: SIGKILL during transit encrypts and rotations (sqlite storage)', () => {
  it('decrypts every acknowledged ciphertext and keeps every acknowledged rotation and upserted key', async (t) => {
    const cfg = await sqliteConfig();
    let server = await startDurable(cfg);
    const { keys, rootToken } = await initialize(server, 1, 1);
    await unseal(server, keys);
    const root = client(server, rootToken);
    assert.equal((await root('POST', 'sys/mounts/transit', { type: 'transit' })).status, 204);
    for (const key of ROTATED) assert.equal((await root('POST', `transit/keys/${key}`, {})).status, 200);

    const agent = new http.Agent({ keepAlive: true, maxSockets: ENCRYPTERS + ROTATED.length });
    const call = client(server, rootToken, agent);
    const sealed: Sealed[] = [];
    const upserted = new Set<string>();
    const rotatedTo = new Map(ROTATED.map((k) => [k, 1]));
    const unexpected: string[] = [];
    let stopping = false;

    /** A request whose answer never came (the server died) is neither a success nor a failure. */
    const attempt = async (...args: Parameters<Call>) => {
      try {
        return await call(...args);
      } catch {
        return null;
      }
    };
    const encrypter = async (w: number) => {
      for (let n = 0; !stopping; n++) {
        // Every 10th encrypt names a key that does not exist yet: the encrypt creates it.
        const key = n % 10 === 9 ? `new-${w}-${n}` : ROTATED[n % ROTATED.length]!;
        const plaintext = randomBytes(32).toString('base64');
        const res = await attempt('POST', `transit/encrypt/${key}`, { plaintext });
        if (!res) return;
        if (res.status !== 200) {
          unexpected.push(`encrypt ${key}: ${res.status} ${res.text}`);
          return;
        }
        sealed.push({ key, plaintext, ciphertext: res.json.data.ciphertext });
        if (!rotatedTo.has(key)) upserted.add(key);
      }
    };
    const rotator = async (key: string) => {
      while (!stopping) {
        const res = await attempt('POST', `transit/keys/${key}/rotate`, {});
        if (!res) return;
        if (res.status !== 200) {
          unexpected.push(`rotate ${key}: ${res.status} ${res.text}`);
          return;
        }
        rotatedTo.set(key, res.json.data.latest_version as number);
      }
    };

    const running = [...Array.from({ length: ENCRYPTERS }, (_, w) => encrypter(w)), ...ROTATED.map(rotator)];
    await new Promise((r) => setTimeout(r, RUN_FOR_MS));
    await killHard(server);
    stopping = true;
    await Promise.all(running);
    agent.destroy();
    assert.deepEqual(unexpected, [], 'every request before the kill was answered 200');
    assert.ok(sealed.length > 0 && [...rotatedTo.values()].every((v) => v > 1) && upserted.size > 0, 'encrypts, rotations and upserts were acknowledged before the kill');

    server = await startDurable(cfg);
    await expectRestartedSealed(server, 1, 1);
    await unseal(server, keys);
    const restarted = client(server, rootToken);

    for (const [key, version] of rotatedTo) {
      const read = await restarted('GET', `transit/keys/${key}`);
      assert.equal(read.status, 200, read.text);
      assert.ok(read.json.data.latest_version >= version, `${key} rotated to v${version} before the kill, v${read.json.data.latest_version} after`);
    }

    const listed = await restarted('LIST', 'transit/keys');
    const names = new Set(listed.json.data.keys as string[]);
    const lostKeys = [...upserted].filter((k) => !names.has(k));
    assert.deepEqual(lostKeys, [], `${lostKeys.length} of ${upserted.size} keys made by acknowledged encrypts are gone`);

    // One batch per key: every ciphertext must come back as its plaintext.
    const byKey = new Map<string, Sealed[]>();
    for (const s of sealed) {
      const list = byKey.get(s.key);
      if (list) list.push(s);
      else byKey.set(s.key, [s]);
    }
    const wrong: string[] = [];
    for (const [key, items] of byKey) {
      const res = await restarted('POST', `transit/decrypt/${key}`, { batch_input: items.map((s) => ({ ciphertext: s.ciphertext })) });
      const results = (res.json?.data?.batch_results ?? []) as { plaintext?: string; error?: string }[];
      items.forEach((s, i) => {
        if (results[i]?.plaintext !== s.plaintext) wrong.push(`${key} ${s.ciphertext.slice(0, 12)}…: ${results[i]?.error ?? 'wrong plaintext'}`);
      });
    }
    t.diagnostic(
      `transit durability: ${sealed.length} ciphertexts acknowledged (${upserted.size} of them made their key), ${ROTATED.length} keys rotated to ${[...rotatedTo.values()].map((v) => `v${v}`).join(', ')} before the kill`,
    );
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${sealed.length} acknowledged ciphertexts no longer decrypt`);
    assert.equal((await server.stop()).code, 0, server.stderr());
  });
});
