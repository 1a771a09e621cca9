/**
 * Security invariant: token ids are stored hashed and never logged. Checked by reading every
 * physical entry, every entry the barrier decrypts, and every log line at trace level.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { createLogger } from '../../src/logging/logger.js';
import { devConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { allPhysicalKeys, createToken, seal, unseal } from './helpers.js';

describe('Token ids are stored hashed and never logged', () => {
  // "Compared in constant time" is not checked here: timing cannot be measured reliably in a
  // shared test run. Token comparison goes through HMACs and timingSafeEqual (token-ids.ts).
  let server: RunningServer;
  let root: ApiClient;
  let anon: ApiClient;
  const logLines: string[] = [];
  const tokens: string[] = [];
  const chosenId = 'chosen-token-value-7f3a9c2e';

  before(async () => {
    const logger = createLogger({ level: 'trace', write: (line) => logLines.push(line) });
    server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'trace' }, { rootTokenId: undefined }, logger);
    root = createApiClient({ address: server.address, token: server.dev!.rootToken });
    anon = createApiClient({ address: server.address });
    tokens.push(server.dev!.rootToken);

    const t1 = await createToken(root, { policies: ['default'], ttl: '1h' });
    const t2 = await createToken(root, { policies: ['default'] }, 'auth/token/create-orphan');
    const t3 = await createToken(root, { id: chosenId, policies: ['default'] });
    assert.equal(t3.client_token, chosenId);
    assert.equal((await root.raw('POST', 'auth/token/roles/r', { allowed_policies: ['default'] })).status, 204);
    const t4 = await createToken(root, {}, 'auth/token/create/r');
    const t5 = await createToken(root, { policies: ['default'], num_uses: 2 });
    tokens.push(t1.client_token, t2.client_token, t3.client_token, t4.client_token, t5.client_token);

    const c1 = createApiClient({ address: server.address, token: t1.client_token });
    assert.equal((await c1.raw('GET', 'auth/token/lookup-self')).status, 200);
    assert.equal((await c1.raw('PUT', 'cubbyhole/note', { v: 'x' })).status, 204);
    assert.equal((await c1.raw('POST', 'auth/token/renew-self', { increment: '30m' })).status, 200);
    assert.equal((await root.raw('POST', 'auth/token/lookup', { token: t2.client_token })).status, 200);
    assert.equal((await root.raw('POST', 'auth/token/renew', { token: t1.client_token })).status, 200);
    assert.equal((await root.raw('POST', 'sys/capabilities', { token: t4.client_token, path: 'secret/x' })).status, 200);
    const bearer = await fetch(`${server.address}/v1/auth/token/lookup-self`, { headers: { Authorization: `Bearer ${chosenId}` } });
    assert.equal(bearer.status, 200);
    const c5 = createApiClient({ address: server.address, token: t5.client_token });
    for (let i = 0; i < 3; i++) await c5.raw('GET', 'auth/token/lookup-self'); // used up on the way
    assert.equal((await root.raw('POST', 'auth/token/revoke', { token: t2.client_token })).status, 204);
    assert.equal((await root.raw('POST', 'auth/token/revoke-accessor', { accessor: t4.accessor })).status, 204);
    for (const bad of ['hvs.notarealtokennotarealtoken', t1.client_token.slice(0, -1) + 'X']) {
      assert.equal((await createApiClient({ address: server.address, token: bad }).raw('GET', 'sys/mounts')).status, 403);
    }
    assert.equal((await root.raw('POST', 'auth/token/tidy')).status, 202);
    for (let i = 0; i < 50 && !logLines.some((l) => l.includes('tidy finished')); i++) await new Promise((r) => setTimeout(r, 20));
    await seal({ root });
    await unseal({ anon, server });
    assert.equal((await c1.raw('GET', 'auth/token/lookup-self')).status, 200, 'a token still works after loading from storage');
  });
  after(() => server.close());

  const needles = () => {
    const out = new Set<string>();
    for (const token of tokens) {
      for (const v of [token, token.replace(/^hvs\./, '')]) {
        out.add(v);
        out.add(Buffer.from(v).toString('base64'));
        out.add(Buffer.from(v).toString('hex'));
      }
    }
    return [...out];
  };

  it('keeps no raw token, nor its part after "hvs.", in any physical key or value', async () => {
    const { physical } = server.core;
    const keys = await allPhysicalKeys(physical);
    assert.ok(keys.some((k) => k.startsWith('sys/token/id/')), 'token entries exist');
    for (const key of keys) {
      const value = (await physical.get(key))!;
      for (const text of [key, value.toString('latin1'), value.toString('utf8')]) {
        for (const needle of needles()) assert.ok(!text.includes(needle), `physical entry ${key} holds a token`);
      }
    }
  });

  it('keeps no raw token in any value the barrier decrypts, and keys token entries by their HMAC', async () => {
    const { physical, barrier, tokens: store } = server.core;
    const plain = new Set(['core/keyring', 'core/seal-config', 'core/root-key']); // not barrier entries
    let opened = 0;
    let tokenEntries = 0;
    for (const key of await allPhysicalKeys(physical)) {
      if (plain.has(key)) continue;
      const text = (await barrier.get(key))!.toString('utf8');
      opened++;
      if (key.startsWith('sys/token/')) tokenEntries++;
      for (const needle of needles()) assert.ok(!text.includes(needle), `decrypted entry ${key} holds a token`);
    }
    assert.ok(opened > 10 && tokenEntries > 5, `only ${opened} entries (${tokenEntries} under sys/token/) were checked`);
    for (const token of [server.dev!.rootToken, tokens[1]!, chosenId]) {
      const h = store.hash(token);
      assert.match(h, /^[0-9a-f]{64}$/);
      assert.notEqual(await physical.get(`sys/token/id/${h}`), null, 'a live token is stored under its hash');
    }
  });

  it('writes no token to the log, even at trace level', () => {
    assert.ok(logLines.length >= 2, 'the logger was wired: seal and unseal are logged');
    for (const line of logLines) for (const needle of needles()) assert.ok(!line.includes(needle), `log line holds a token: ${line}`);
  });
});
