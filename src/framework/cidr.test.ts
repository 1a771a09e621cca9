import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressAllowed, checkCidrList, cidrsWithin } from './cidr.js';

describe('auth CIDR lists', () => {
  it('validates, trims and deduplicates a list, naming the field and the bad entry', () => {
    assert.deepEqual(checkCidrList('x', [' 10.0.0.0/8', '10.0.0.0/8', '', '::1', '127.0.0.1']), ['10.0.0.0/8', '::1', '127.0.0.1']);
    assert.throws(() => checkCidrList('token_bound_cidrs', ['10.0.0.0/33']), /token_bound_cidrs: "10.0.0.0\/33"/);
    assert.throws(() => checkCidrList('cidr_list', ['bogus']), /cidr_list/);
    assert.throws(() => checkCidrList('cidr_list', ['1.2.3.4/8/9']), /cidr_list/);
  });

  it('matches remote addresses, IPv4 seen through a dual-stack socket included', () => {
    assert.equal(addressAllowed('10.1.2.3', ['10.0.0.0/8']), true);
    assert.equal(addressAllowed('::ffff:10.1.2.3', ['10.0.0.0/8']), true);
    assert.equal(addressAllowed('11.1.2.3', ['10.0.0.0/8']), false);
    assert.equal(addressAllowed('127.0.0.1', ['127.0.0.1']), true);
    assert.equal(addressAllowed('::1', ['::1/128']), true);
    assert.equal(addressAllowed(undefined, ['0.0.0.0/0']), false);
    assert.equal(addressAllowed('not-an-ip', ['0.0.0.0/0']), false);
  });

  it('tells whether one list of blocks lies within another', () => {
    assert.equal(cidrsWithin(['10.1.0.0/16', '10.2.3.4'], ['10.0.0.0/8']), true);
    assert.equal(cidrsWithin(['10.0.0.0/7'], ['10.0.0.0/8']), false);
    assert.equal(cidrsWithin(['192.168.0.0/24'], ['10.0.0.0/8']), false);
    assert.equal(cidrsWithin(['::1'], ['10.0.0.0/8']), false);
    assert.equal(cidrsWithin(['192.168.0.0/24'], []), true, 'an empty outer list allows anything');
    assert.equal(cidrsWithin([], ['10.0.0.0/8']), true);
  });
});
