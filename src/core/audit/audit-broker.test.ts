import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from '../../logical/request.js';
import { AuditBroker, AuditFailure, type AuditDevice, type AuditEvent } from './audit-broker.js';

const request: Request = { id: 'r1', operation: 'read', path: 'secret/x', data: {}, headers: {} };
const event = (): AuditEvent => ({ request, token: null });

interface Recorder extends AuditDevice {
  seen: string[];
  closedAt?: number;
}

function device(path: string, fail: 'never' | 'always' | 'response' = 'never'): Recorder {
  const seen: string[] = [];
  const rec: Recorder = {
    path,
    seen,
    async logRequest(e) {
      if (fail === 'always') throw new Error('disk full');
      seen.push(`request ${e.request.id}`);
    },
    async logResponse(e) {
      if (fail !== 'never') throw new Error('disk full');
      seen.push(`response ${e.request.id}`);
    },
    async close() {
      rec.closedAt = seen.length;
    },
  };
  return rec;
}

describe('audit broker', () => {
  it('lets requests pass while no device is enabled', async () => {
    const broker = new AuditBroker();
    assert.equal(broker.enabled, false);
    const e = event();
    await broker.logRequest(e);
    await broker.logResponse(e);
  });

  it('succeeds when at least one device records the entry', async () => {
    const broker = new AuditBroker();
    const failing = device('file/', 'always');
    const working = device('socket/');
    broker.register(failing);
    broker.register(working);
    const e = event();
    await broker.logRequest(e);
    await broker.logResponse(e);
    assert.deepEqual(working.seen, ['request r1', 'response r1']);
  });

  it('fails closed at the request stage when every device fails', async () => {
    const broker = new AuditBroker();
    broker.register(device('file/', 'always'));
    await assert.rejects(broker.logRequest(event()), (e: unknown) => e instanceof AuditFailure && e.status === 500);
  });

  it('fails closed at the response stage when every device fails', async () => {
    const broker = new AuditBroker();
    broker.register(device('file/', 'response'));
    const e = event();
    await broker.logRequest(e);
    await assert.rejects(broker.logResponse(e), AuditFailure);
  });

  it('sends the response entry to the devices that took the request entry, not to one enabled meanwhile', async () => {
    const broker = new AuditBroker();
    const first = device('first/');
    broker.register(first);
    const e = event();
    await broker.logRequest(e);
    const second = device('second/');
    broker.register(second);
    await broker.logResponse(e);
    assert.deepEqual(first.seen, ['request r1', 'response r1']);
    assert.deepEqual(second.seen, []);
  });

  it('writes no lone response entry for a request that started with no device enabled', async () => {
    const broker = new AuditBroker();
    const e = event();
    await broker.logRequest(e);
    const late = device('late/');
    broker.register(late);
    await broker.logResponse(e);
    assert.deepEqual(late.seen, []);
  });

  it('closes a disabled device only after its requests in flight wrote their response entries', async () => {
    const broker = new AuditBroker();
    const d = device('file/');
    broker.register(d);
    const e = event();
    await broker.logRequest(e);
    broker.unregister('file/');
    assert.equal(broker.enabled, false);
    assert.equal(d.closedAt, undefined, 'closed while a request still needed it');
    await broker.logResponse(e);
    await broker.closed();
    assert.equal(d.closedAt, 2, 'closed right after the response entry');
  });

  it('closes an idle device at once when it is unregistered, and every device on clear', async () => {
    const broker = new AuditBroker();
    const a = device('a/');
    const b = device('b/');
    broker.register(a);
    broker.register(b);
    broker.unregister('a/');
    broker.clear();
    await broker.closed();
    assert.equal(a.closedAt, 0);
    assert.equal(b.closedAt, 0);
  });

  it('releases the devices of a request whose request entry failed', async () => {
    const broker = new AuditBroker();
    const d = device('file/', 'always');
    broker.register(d);
    await assert.rejects(broker.logRequest(event()), AuditFailure);
    broker.unregister('file/');
    await broker.closed();
    assert.equal(d.closedAt, 0, 'a failed request left the device held open');
  });
});
