import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressGuard, invalidNetwork } from './network-guard.js';

describe('challenge network guard', () => {
  it('never allows unspecified, link-local, multicast or broadcast addresses, even when an allowed network covers them', () => {
    const guard = addressGuard(['0.0.0.0/0', '::/0']);
    for (const address of ['0.0.0.0', '::', '169.254.169.254', 'fe80::1', '224.0.0.251', 'ff02::1', '255.255.255.255', '::ffff:169.254.169.254']) {
      assert.ok(guard(address), address);
    }
    assert.match(guard('169.254.169.254')!, /link-local/);
    assert.equal(guard('203.0.113.9'), undefined);
    assert.equal(guard('2001:db8::1'), undefined);
  });

  it('allows anything else when no networks are given, loopback included', () => {
    const guard = addressGuard();
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.168.0.1', '2001:db8::1']) assert.equal(guard(address), undefined, address);
  });

  it('narrows to the allowed networks, an IPv4-mapped address counting as IPv4', () => {
    const guard = addressGuard(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    assert.equal(guard('10.200.0.1'), undefined);
    assert.equal(guard('::ffff:10.0.0.1'), undefined);
    assert.equal(guard('2001:db8:1::5'), undefined);
    assert.equal(guard('192.0.2.7'), undefined);
    assert.match(guard('192.0.2.8')!, /outside the networks challenges may reach \(10\.0\.0\.0\/8, 2001:db8::\/32, 192\.0\.2\.7\)/);
    assert.match(guard('127.0.0.1')!, /outside/);
  });

  it('names the first entry that is not a CIDR, and then allows nothing', () => {
    assert.equal(invalidNetwork(['10.0.0.0/8', 'fd00::/8']), undefined);
    assert.equal(invalidNetwork(['10.0.0.0/8', '10.0.0.0/33']), '10.0.0.0/33');
    assert.equal(invalidNetwork(['example.com/24']), 'example.com/24');
    assert.equal(invalidNetwork(['10.0.0.0/8/1']), '10.0.0.0/8/1');
    assert.match(addressGuard(['nonsense'])('10.0.0.1')!, /"nonsense", which is not a CIDR/);
  });
});
