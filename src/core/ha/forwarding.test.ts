/** The client address a standby passes on is believed only with a valid, fresh signature. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeChain, deriveForwardingKey, encodeChain, FORWARDED_FOR, FORWARDED_SIG, FORWARDED_TLS_CHAIN, signForwarded, verifyForwarded, type ForwardedRequest } from './forwarding.js';

const key = deriveForwardingKey(randomBytes(32));
const now = 1_800_000_000_000;
const request: ForwardedRequest = { method: 'POST', url: '/v1/kv/data/a', headers: { 'x-vault-token': 'hvs.victim' }, body: Buffer.from('{"data":{"v":1}}') };
const signed = signForwarded(key, '10.1.2.3', request, now);
/** The request as the active node receives it: the client's headers plus the two signed ones. */
const received = (over: Partial<ForwardedRequest> = {}, extra: Record<string, string> = {}): ForwardedRequest => ({
  ...request,
  ...over,
  headers: { ...(over.headers ?? request.headers), ...signed, ...extra },
});

describe('forwarded client addresses', () => {
  it('accepts what a node of the cluster signed', () => {
    assert.equal(verifyForwarded(key, received(), now + 1000), '10.1.2.3');
  });

  it('refuses another address, request, key, a stale or missing signature', () => {
    assert.equal(verifyForwarded(key, received({}, { [FORWARDED_FOR]: '10.9.9.9' }), now), undefined);
    assert.equal(verifyForwarded(key, received({ method: 'DELETE' }), now), undefined);
    assert.equal(verifyForwarded(key, received({ url: '/v1/kv/data/b' }), now), undefined);
    assert.equal(verifyForwarded(deriveForwardingKey(randomBytes(32)), received(), now), undefined);
    assert.equal(verifyForwarded(key, received(), now + 120_000), undefined);
    assert.equal(verifyForwarded(key, { ...request, headers: { ...request.headers, [FORWARDED_FOR]: '10.1.2.3' } }, now), undefined);
    assert.equal(verifyForwarded(key, received({}, { [FORWARDED_SIG]: 'garbage' }), now), undefined);
    assert.equal(verifyForwarded(undefined, received(), now), undefined);
  });

  it('refuses a captured header pair replayed with another token or body', () => {
    // Another caller's token: the pair would lend the victim's address to it (token_bound_cidrs).
    assert.equal(verifyForwarded(key, received({ headers: { 'x-vault-token': 'hvs.attacker' } }), now), undefined);
    assert.equal(verifyForwarded(key, received({ headers: { authorization: 'Bearer hvs.attacker' } }), now), undefined);
    assert.equal(verifyForwarded(key, received({ headers: { 'x-vault-token': 'hvs.victim', authorization: 'Bearer hvs.attacker' } }), now), undefined);
    assert.equal(verifyForwarded(key, received({ body: Buffer.from('{"data":{"v":2}}') }), now), undefined);
    assert.equal(verifyForwarded(key, received({ body: undefined }), now), undefined);
  });

  it('covers the client certificates it passes on: a chain added or swapped is refused', () => {
    const chain = encodeChain([Buffer.from('leaf'), Buffer.from('intermediate')]);
    const withChain = { ...request, headers: { ...request.headers, [FORWARDED_TLS_CHAIN]: chain } };
    const pair = signForwarded(key, '10.1.2.3', withChain, now);
    assert.equal(verifyForwarded(key, { ...withChain, headers: { ...withChain.headers, ...pair } }, now), '10.1.2.3');
    assert.equal(verifyForwarded(key, { ...withChain, headers: { ...withChain.headers, ...pair, [FORWARDED_TLS_CHAIN]: encodeChain([Buffer.from('other')]) } }, now), undefined);
    assert.equal(verifyForwarded(key, received({}, { [FORWARDED_TLS_CHAIN]: chain }), now), undefined);
    assert.deepEqual(decodeChain(chain)?.map((b) => b.toString()), ['leaf', 'intermediate']);
    assert.equal(decodeChain('not base64!'), undefined);
    assert.equal(decodeChain(''), undefined);
  });
});
