import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTokenFields, checkAgainstMount, defaultTokenParams, expectedTokenPolicies, tokenAuth, tokenParamsData } from './token-params.js';

describe('token parameters of auth methods', () => {
  it('applies given fields and keeps the rest', () => {
    const a = applyTokenFields(defaultTokenParams(), { token_policies: [' Dev ', 'ops', 'dev'], token_ttl: 60, token_max_ttl: 120 });
    assert.deepEqual(a.policies, ['dev', 'ops']);
    assert.deepEqual(applyTokenFields(a, { token_policies: ['z', 'b'] }).policies, ['b', 'z'], 'sorted');
    const b = applyTokenFields(a, { token_num_uses: 3 });
    assert.equal(b.ttl, 60);
    assert.equal(b.numUses, 3);
    assert.deepEqual(b.policies, ['dev', 'ops']);
  });

  it('takes the deprecated spellings, the new name winning when both are sent', () => {
    assert.deepEqual(applyTokenFields(defaultTokenParams(), { policies: ['a'] }).policies, ['a']);
    assert.deepEqual(applyTokenFields(defaultTokenParams(), { policies: ['a'], token_policies: ['b'] }).policies, ['b']);
    assert.equal(applyTokenFields(defaultTokenParams(), { ttl: 5, max_ttl: 10, period: 7 }).period, 7);
    assert.deepEqual(applyTokenFields(defaultTokenParams(), { bound_cidrs: ['10.0.0.0/8'] }).boundCidrs, ['10.0.0.0/8']);
  });

  it('refuses what no token could be', () => {
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_ttl: 100, token_max_ttl: 10 }), /token_ttl cannot be greater than token_max_ttl/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_num_uses: -1 }), /token_num_uses cannot be negative/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_type: 'batch' }), /batch tokens do not exist here/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_type: 'weird' }), /invalid token_type/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_policies: ['root'] }), /"root" policy/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_policies: ['response-wrapping'] }), /"response-wrapping" policy/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_policies: ['a/b'] }), /invalid policy name/);
    assert.throws(() => applyTokenFields(defaultTokenParams(), { token_bound_cidrs: ['nope'] }), /token_bound_cidrs/);
  });

  it('maps default-service to service with a warning', () => {
    const warnings: string[] = [];
    assert.equal(applyTokenFields(defaultTokenParams(), { token_type: 'default-service' }, warnings).type, 'service');
    assert.equal(warnings.length, 1);
  });

  it('checks against the mount: a period past its max is refused, a max TTL past it warned about', () => {
    const warnings: string[] = [];
    checkAgainstMount(applyTokenFields(defaultTokenParams(), { token_max_ttl: 7200 }), 3600, warnings);
    assert.equal(warnings.length, 1);
    assert.throws(() => checkAgainstMount(applyTokenFields(defaultTokenParams(), { token_period: 7200 }), 3600, []), /token_period/);
  });

  it('answers reads and logins in Vault’s shapes', () => {
    const p = applyTokenFields(defaultTokenParams(), { token_policies: ['a'], token_bound_cidrs: ['10.0.0.0/8'], token_no_default_policy: true });
    assert.deepEqual(Object.keys(tokenParamsData(p)).sort(), [
      'token_bound_cidrs', 'token_explicit_max_ttl', 'token_max_ttl', 'token_no_default_policy', 'token_num_uses', 'token_period', 'token_policies', 'token_ttl', 'token_type',
    ]);
    const auth = tokenAuth(p);
    assert.deepEqual(auth.boundCidrs, ['10.0.0.0/8']);
    assert.equal(auth.renewable, true);
    assert.equal(tokenAuth(defaultTokenParams()).boundCidrs, undefined);
    assert.deepEqual(expectedTokenPolicies(p), ['a']);
    assert.deepEqual(expectedTokenPolicies(defaultTokenParams()), ['default']);
  });
});
