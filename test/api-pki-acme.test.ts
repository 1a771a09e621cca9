/**
 * ACME over HTTP with a small jose-based client: directories, nonces, the JWS checks every
 * request goes through, accounts, external account binding, key rollover and orders.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AcmeClient, acmeKey, b64u, signJws, type AcmeResponse } from './helpers/acme-client.js';
import { startPki, type PkiTest } from './helpers/pki.js';

const problem = (res: AcmeResponse, type: string, status: number) => {
  assert.equal(res.status, status, res.text);
  assert.equal(res.type, 'application/problem+json');
  assert.equal(res.body.type, `urn:ietf:params:acme:error:${type}`, res.text);
  assert.ok(res.headers.get('replay-nonce'), 'a problem answer still carries a fresh nonce');
  return res.body.detail as string;
};

describe('pki ACME protocol over HTTP', () => {
  let x: PkiTest;
  let base = '';
  const client = async (alg = 'ES256', dir = 'acme') => new AcmeClient(`${base}/${dir}/directory`, await acmeKey(alg)).start();

  before(async () => {
    x = await startPki();
    await x.write('root/generate/internal', { common_name: 'ACME Root', ttl: '8760h', key_type: 'ec' });
    base = `${x.t.address}/v1/pki`;
  });
  after(() => x.t.close());

  it('answers a problem document naming config/acme, then config/cluster, until both are set', async () => {
    let res = await fetch(`${base}/acme/directory`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.match((await res.json()).detail, /config\/acme/);
    await x.write('config/acme', { enabled: true });
    res = await fetch(`${base}/acme/directory`);
    assert.equal(res.status, 403);
    assert.match((await res.json()).detail, /config\/cluster/);
    await x.write('config/cluster', { path: base });
    assert.deepEqual((await x.read('config/cluster')).path, base);
  });

  it('refuses bad config/acme and config/cluster values with a 400 naming the field', async () => {
    for (const [path, body, field] of [
      ['config/acme', { default_directory_policy: 'maybe' }, /default_directory_policy/],
      ['config/acme', { eab_policy: 'sometimes' }, /eab_policy/],
      ['config/acme', { default_directory_policy: 'external-policy' }, /external-policy is not supported/],
      ['config/acme', { allowed_challenge_networks: '10.0.0.0/33' }, /allowed_challenge_networks/],
      ['config/cluster', { path: 'not a url' }, /path/],
    ] as const) {
      const res = await x.call('POST', `pki/${path}`, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body!.errors!.join(), field);
    }
    assert.equal((await x.read('config/acme')).enabled, true);
  });

  it('serves directories with absolute URLs built from config/cluster, needing no token', async () => {
    await x.write('roles/web', { allowed_domains: 'coffer.test', allow_subdomains: true, key_type: 'any' });
    for (const dir of ['acme', 'roles/web/acme', 'issuer/default/acme', 'issuer/default/roles/web/acme']) {
      const res = await fetch(`${base}/${dir}/directory`);
      assert.equal(res.status, 200, dir);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const d = await res.json();
      assert.equal(d.newNonce, `${base}/${dir}/new-nonce`);
      assert.equal(d.newOrder, `${base}/${dir}/new-order`);
      assert.equal(d.meta.externalAccountRequired, false);
      assert.equal(res.headers.get('link'), `<${base}/${dir}/directory>;rel="index"`);
    }
    const nonce = await fetch(`${base}/acme/new-nonce`, { method: 'HEAD' });
    assert.ok(nonce.status === 200 || nonce.status === 204);
    assert.match(nonce.headers.get('replay-nonce')!, /^[A-Za-z0-9_-]{16,}$/);
    const unknownIssuer = await fetch(`${base}/issuer/nope/acme/directory`);
    assert.equal(unknownIssuer.status, 404);
  });

  it('creates an account (201, Location), finds it again by key (200), and refuses onlyReturnExisting for a new key', async () => {
    const c = await client();
    const created = await c.register();
    assert.equal(created.status, 201, created.text);
    assert.match(c.kid, new RegExp(`^${base}/acme/account/[0-9a-f-]{36}$`));
    assert.equal(created.body.status, 'valid');
    assert.deepEqual(created.body.contact, ['mailto:ops@coffer.test']);
    const again = await c.post(c.dir.newAccount, { onlyReturnExisting: true }, { jwk: true });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('location'), c.kid);
    problem(await (await client('RS256')).post(c.dir.newAccount, { onlyReturnExisting: true }, { jwk: true }), 'accountDoesNotExist', 400);
    problem(await (await client()).post(c.dir.newAccount, { contact: ['tel:+1555'] }, { jwk: true }), 'unsupportedContact', 400);
    // Every accepted algorithm family works.
    for (const alg of ['RS256', 'ES384', 'EdDSA']) assert.equal((await (await client(alg)).register()).status, 201, alg);
  });

  it('refuses a replayed, unknown or missing nonce with badNonce and a fresh Replay-Nonce', async () => {
    const c = await client();
    const nonce = await c.newNonce();
    assert.equal((await c.register()).status, 201);
    problem(await c.post(c.kid, '', { nonce: 'bm90LWEtbm9uY2U' }), 'badNonce', 400);
    assert.equal((await c.post(c.kid, '', { nonce })).status, 200);
    const replay = await c.post(c.kid, '', { nonce });
    problem(replay, 'badNonce', 400);
    // The fresh nonce from the refusal works.
    assert.equal((await c.post(c.kid, '')).status, 200);
    problem(await c.post(c.kid, '', { nonce: null }), 'badNonce', 400);
  });

  it('refuses alg none, HMAC, a wrong signature, a wrong url, a key that does not fit the alg, and a non-JOSE body', async () => {
    const c = await client();
    assert.equal((await c.register()).status, 201);
    const nonce = await c.newNonce();
    const none = { protected: b64u(JSON.stringify({ alg: 'none', nonce, url: c.kid, kid: c.kid })), payload: '', signature: '' };
    problem(await c.send(c.kid, none), 'badSignatureAlgorithm', 400);
    const hs = await signJws(
      { alg: 'HS256', privateKey: new Uint8Array(32) as never, jwk: {} },
      { nonce: await c.newNonce(), url: c.kid, kid: c.kid },
      '',
    );
    problem(await c.send(c.kid, hs), 'badSignatureAlgorithm', 400);
    // Signed by another key while claiming this account.
    const other = await acmeKey();
    assert.match(problem(await c.post(c.kid, '', { key: other }), 'malformed', 400), /signature/);
    problem(await c.post(c.kid, '', { url: `${base}/acme/new-order` }), 'unauthorized', 401);
    // An RSA key sent as ES256.
    const rsa = await client('RS256');
    const h = { alg: 'ES256', nonce: await rsa.newNonce(), url: rsa.dir.newAccount, jwk: rsa.key.jwk };
    const signed = await signJws(rsa.key, { ...h, alg: 'RS256' }, {});
    problem(await rsa.send(rsa.dir.newAccount, { ...signed, protected: b64u(JSON.stringify(h)) }), 'badPublicKey', 400);
    const plain = await c.send(c.kid, await signJws(c.key, { nonce: await c.newNonce(), url: c.kid, kid: c.kid }, ''), 'application/json');
    assert.equal(plain.status, 415);
    // jwk where a kid is required, and a kid for an account that does not exist.
    problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'a.coffer.test' }] }, { jwk: true }), 'malformed', 400);
    const ghost = await client();
    ghost.kid = `${base}/acme/account/00000000-0000-0000-0000-000000000000`;
    problem(await ghost.post(ghost.dir.newOrder, { identifiers: [{ type: 'dns', value: 'a.coffer.test' }] }), 'accountDoesNotExist', 400);
  });

  it('makes orders with one authorization per identifier; wildcards get dns-01 only; refuses notBefore and bad names', async () => {
    const c = await client();
    await c.register();
    const res = await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'App.coffer.test' }, { type: 'dns', value: '*.coffer.test' }, { type: 'ip', value: '127.0.0.1' }] });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('location')!, new RegExp(`^${base}/acme/order/`));
    assert.equal(res.body.status, 'pending');
    assert.deepEqual(res.body.identifiers.map((i: any) => i.value), ['app.coffer.test', '*.coffer.test', '127.0.0.1']);
    const authzs = await Promise.all(res.body.authorizations.map((u: string) => c.post(u, '')));
    assert.deepEqual(authzs.map((a) => a.body.challenges.map((ch: any) => ch.type).sort()), [['dns-01', 'http-01', 'tls-alpn-01'], ['dns-01'], ['http-01', 'tls-alpn-01']]);
    assert.equal(authzs[1]!.body.wildcard, true);
    assert.deepEqual(authzs[1]!.body.identifier, { type: 'dns', value: 'coffer.test' });
    const listed = await c.post(`${base}/acme/orders`, '');
    assert.deepEqual(listed.body.orders, [res.headers.get('location')]);

    problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'a.coffer.test' }], notAfter: '2030-01-01T00:00:00Z' }), 'malformed', 400);
    problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'bad_name..test' }] }), 'rejectedIdentifier', 400);
    problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'email', value: 'a@b.test' }] }), 'unsupportedIdentifier', 400);
    problem(await c.post(c.dir.newOrder, { identifiers: [] }), 'malformed', 400);
    // Finalizing before the authorizations are valid.
    problem(await c.post(res.body.finalize, { csr: b64u('x') }), 'orderNotReady', 403);
    // Another account sees none of it.
    const other = await client();
    await other.register();
    problem(await other.post(res.headers.get('location')!, ''), 'malformed', 404);
  });

  it("refuses names the directory's role does not allow with rejectedIdentifier", async () => {
    const c = await client('ES256', 'roles/web/acme');
    await c.register();
    assert.equal((await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'ok.coffer.test' }] })).status, 201);
    assert.match(problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'www.example.com' }] }), 'rejectedIdentifier', 400), /not allowed/);
  });

  it('rolls an account over to a new key: the old key stops working, the new one finds the account', async () => {
    const c = await client();
    await c.register();
    const next = await acmeKey('ES256');
    const inner = await signJws(next, { jwk: next.jwk, url: c.dir.keyChange }, { account: c.kid, oldKey: c.key.jwk });
    const changed = await c.post(c.dir.keyChange, inner);
    assert.equal(changed.status, 200, changed.text);
    assert.match(problem(await c.post(c.kid, ''), 'malformed', 400), /signature/);
    const oldKey = c.key;
    c.key = next;
    assert.equal((await c.post(c.kid, '')).status, 200);
    const found = await c.post(c.dir.newAccount, { onlyReturnExisting: true }, { jwk: true });
    assert.equal(found.headers.get('location'), c.kid);
    // A key already holding an account cannot be rolled onto.
    const taken = await client();
    await taken.register();
    const clash = await signJws(taken.key, { jwk: taken.key.jwk, url: c.dir.keyChange }, { account: c.kid, oldKey: c.key.jwk });
    const conflict = await c.post(c.dir.keyChange, clash);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.headers.get('location'), taken.kid);
    // An inner JWS naming the wrong old key.
    const wrong = await signJws(await acmeKey(), { jwk: (await acmeKey()).jwk, url: c.dir.keyChange }, { account: c.kid, oldKey: oldKey.jwk });
    problem(await c.post(c.dir.keyChange, wrong), 'malformed', 400);
    // An inner JWS whose protected header or payload is JSON but not an object.
    const nullHeader = { protected: b64u(Buffer.from('null')), payload: b64u(Buffer.from('{}')), signature: b64u(Buffer.alloc(64)) };
    assert.match(problem(await c.post(c.dir.keyChange, nullHeader), 'malformed', 400), /inner JWS protected header must be a JSON object/);
  });

  it('deactivates an account: it can do nothing afterwards', async () => {
    const c = await client();
    await c.register();
    const res = await c.post(c.kid, { status: 'deactivated' });
    assert.equal(res.body.status, 'deactivated');
    problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'a.coffer.test' }] }), 'unauthorized', 403);
  });

  it('requires external account binding when eab_policy says so; a binding is spent by one account', async () => {
    await x.write('config/acme', { enabled: true, eab_policy: 'new-account-required' });
    try {
      const c = await client();
      assert.equal(c.dir.meta.externalAccountRequired, true);
      problem(await c.register(), 'externalAccountRequired', 400);
      assert.equal((await x.call('POST', 'pki/acme/new-eab', {}, x.t.anon)).status, 403, 'new-eab needs a token');
      const eab = await x.write('acme/new-eab');
      assert.equal(eab.key_type, 'hs');
      assert.equal(eab.acme_directory, 'acme/directory');
      assert.deepEqual((await x.call('LIST', 'pki/eab')).body!.data!.keys, [eab.id]);
      const binding = (key = c.key, hmac = eab.key) =>
        signJws({ alg: 'HS256', privateKey: Buffer.from(hmac, 'base64url') as never, jwk: {} }, { kid: eab.id, url: c.dir.newAccount }, key.jwk);
      problem(await c.register({ externalAccountBinding: await binding(c.key, b64u(Buffer.alloc(32))) }), 'unauthorized', 403);
      problem(await c.register({ externalAccountBinding: await binding(await acmeKey()) }), 'unauthorized', 403);
      const made = await c.register({ externalAccountBinding: await binding() });
      assert.equal(made.status, 201, made.text);
      assert.equal((await x.call('LIST', 'pki/eab')).status, 404, 'the binding is spent');
      const d = await client();
      problem(await d.register({ externalAccountBinding: await binding(d.key) }), 'unauthorized', 403);
      const spare = await x.write('acme/new-eab');
      assert.equal((await x.call('DELETE', `pki/eab/${spare.id}`)).status, 204);
      assert.equal((await x.call('LIST', 'pki/eab')).status, 404);
    } finally {
      // config/acme writes change only what they name: put every setting the test touched back.
      await x.write('config/acme', { enabled: true, eab_policy: 'not-required', default_directory_policy: 'sign-verbatim', allowed_roles: '*', allowed_issuers: '*', allowed_challenge_networks: [] });
    }
  });

  it('applies default_directory_policy and allowed_roles to the directories', async () => {
    const order = (c: AcmeClient, value: string) => c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value }] });
    try {
      await x.write('config/acme', { enabled: true, default_directory_policy: 'forbid' });
      const c = await client();
      await c.register();
      assert.match(problem(await order(c, 'a.coffer.test'), 'unauthorized', 403), /default_directory_policy/);
      const viaRole = await client('ES256', 'roles/web/acme');
      await viaRole.register();
      assert.equal((await order(viaRole, 'a.coffer.test')).status, 201, 'a role directory is not affected');

      await x.write('config/acme', { enabled: true, default_directory_policy: 'role:web' });
      assert.equal((await order(c, 'a.coffer.test')).status, 201);
      problem(await order(c, 'a.example.com'), 'rejectedIdentifier', 400);

      await x.write('config/acme', { enabled: true, allowed_roles: 'other' });
      const res = await fetch(`${base}/roles/web/acme/directory`);
      assert.equal(res.status, 403);
      assert.match((await res.json()).detail, /allowed_roles/);
    } finally {
      // config/acme writes change only what they name: put every setting the test touched back.
      await x.write('config/acme', { enabled: true, eab_policy: 'not-required', default_directory_policy: 'sign-verbatim', allowed_roles: '*', allowed_issuers: '*', allowed_challenge_networks: [] });
    }
  });

  it('with eab_policy always-required, refuses orders from accounts made without a binding', async () => {
    const c = await client();
    await c.register();
    try {
      await x.write('config/acme', { enabled: true, eab_policy: 'always-required' });
      problem(await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'a.coffer.test' }] }), 'externalAccountRequired', 400);
    } finally {
      // config/acme writes change only what they name: put every setting the test touched back.
      await x.write('config/acme', { enabled: true, eab_policy: 'not-required', default_directory_policy: 'sign-verbatim', allowed_roles: '*', allowed_issuers: '*', allowed_challenge_networks: [] });
    }
    assert.equal((await c.post(c.dir.newOrder, { identifiers: [{ type: 'dns', value: 'a.coffer.test' }] })).status, 201);
  });
});
