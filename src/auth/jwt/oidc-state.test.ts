import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesDigest, MAX_SPENT_BYTES, MAX_STATE, OidcStates, SPENT_ENTRY_BYTES, STATE_TTL_MS } from './oidc-state.js';

const login = { role: 'people', redirectUri: 'http://localhost:8250/oidc/callback', clientNonce: 'cn' };

describe('OIDC states sealed into the OAuth state', () => {
  it('opens its own states, with the role, the nonce and digests of what auth_url was given', () => {
    const states = new OidcStates();
    const { state, nonce } = states.issue(login, 1_000);
    assert.ok(state.length < MAX_STATE / 2, String(state.length));
    assert.match(nonce, /^[0-9a-f]{40}$/);
    const pending = states.open(state, 2_000)!;
    assert.equal(pending.role, 'people');
    assert.equal(pending.nonce, nonce);
    assert.equal(pending.expires, 1_000 + STATE_TTL_MS);
    assert.ok(matchesDigest(pending.redirectDigest, login.redirectUri) && !matchesDigest(pending.redirectDigest, 'http://evil.example/'));
    assert.ok(matchesDigest(pending.clientNonceDigest, 'cn') && !matchesDigest(pending.clientNonceDigest, ''));
  });

  it('does not open an expired, altered or foreign state, nor any after forget (a seal)', () => {
    const states = new OidcStates();
    const { state } = states.issue(login, 0);
    assert.equal(states.open(state, STATE_TTL_MS), undefined, 'expired');
    const raw = Buffer.from(state, 'base64url');
    for (const i of [0, 5, 20, raw.length - 1]) {
      const altered = Buffer.from(raw);
      altered[i] = altered[i]! ^ 1;
      assert.equal(states.open(altered.toString('base64url'), 1), undefined, `byte ${i}`);
    }
    assert.equal(new OidcStates().open(state, 1), undefined, 'another mount');
    for (const junk of ['', 'x', 'AQ', 'A'.repeat(MAX_STATE + 1)]) assert.equal(states.open(junk, 1), undefined);
    states.forget();
    assert.equal(states.open(state, 1), undefined, 'forgotten keys');
  });

  it('spends a state once, and no longer opens it until it expires', () => {
    const states = new OidcStates();
    const pending = states.open(states.issue(login, 0).state, 1)!;
    assert.equal(states.spend(pending, 1), 'spent');
    assert.equal(states.spend(pending, 2), 'replayed');
    assert.equal(states.open(states.issue(login, 0).state, 1)?.role, 'people', 'other states still open');
    assert.equal(states.spentBytes, SPENT_ENTRY_BYTES);
  });

  it('never holds more than MAX_SPENT_BYTES of spent states: refuses when full, frees expired ones', () => {
    const states = new OidcStates();
    const capacity = Math.floor(MAX_SPENT_BYTES / SPENT_ENTRY_BYTES);
    const make = (i: number, expires: number) => ({ id: i.toString(16).padStart(32, '0'), role: 'r', expires, nonce: '', redirectDigest: Buffer.alloc(32), clientNonceDigest: Buffer.alloc(32) });
    // Spent out of expiry order, as real logins are: the first entry outlives many after it.
    assert.equal(states.spend(make(0, 10_000), 0), 'spent');
    for (let i = 1; i < capacity; i++) assert.equal(states.spend(make(i, 5_000), 0), 'spent');
    assert.equal(states.spentBytes, capacity * SPENT_ENTRY_BYTES);
    assert.ok(states.spentBytes <= MAX_SPENT_BYTES);
    assert.equal(states.spend(make(capacity, 9_000), 100), 'full');
    assert.ok(states.spentBytes <= MAX_SPENT_BYTES);
    // Once they expire, the entries behind the long-lived first one are swept too.
    assert.equal(states.spend(make(capacity, 9_000), 5_000), 'spent');
    assert.equal(states.spentBytes, 2 * SPENT_ENTRY_BYTES);
  });
});
