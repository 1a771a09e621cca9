import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError } from '../../errors.js';
import type { Request } from '../../logical/request.js';
import { AuditBroker, type AuditDevice } from './audit-broker.js';

const request: Request = { id: 'r1', operation: 'read', path: 'secret/x', data: {}, headers: {} };

function device(path: string, fail: boolean, seen: string[]): AuditDevice {
  const write = async () => {
    if (fail) throw new Error('disk full');
    seen.push(path);
  };
  return { path, logRequest: write, logResponse: write };
}

describe('audit broker', () => {
  it('lets requests pass while no device is enabled', async () => {
    await new AuditBroker().logRequest({ request, token: null });
  });

  it('succeeds when at least one device records the entry', async () => {
    const seen: string[] = [];
    const broker = new AuditBroker();
    broker.register(device('file/', true, seen));
    broker.register(device('socket/', false, seen));
    await broker.logRequest({ request, token: null });
    assert.deepEqual(seen, ['socket/']);
  });

  it('fails closed when every enabled device fails', async () => {
    const broker = new AuditBroker();
    broker.register(device('file/', true, []));
    await assert.rejects(broker.logResponse({ request, token: null }), (e: unknown) => e instanceof CofferError && e.status === 500);
  });
});
