/**
 * Security invariant: audit is fail-closed. A request no audit device can record is refused
 * before its handler runs, and an answer that cannot be recorded is not returned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditDevice, AuditEvent } from '../../src/core/audit/audit-broker.js';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { assertErrorBody } from './helpers.js';

describe('Audit is fail-closed', () => {
  // The audit hook is core.audit (src/core/audit/audit-broker.ts): devices register with it.
  // File, socket and syslog devices, `sys/audit` and the HMAC'd entry format come with the
  // audit issue, so "entries hold no plaintext secret, token or password" has nothing to
  // check yet. These tests register small in-process devices through the broker's own API.
  let t: TestServer;
  const failing: AuditDevice = {
    path: 'failing/',
    logRequest: async () => {
      throw new Error('disk full');
    },
    logResponse: async () => {
      throw new Error('disk full');
    },
  };

  before(async () => {
    t = await startDevServer();
    await t.root.write('cubbyhole/audited', { password: 'audited-plaintext' });
  });
  after(() => t.close());

  it('answers 500 and never runs the handler when no device can record the request', async () => {
    const { audit } = t.server.core;
    audit.register(failing);
    try {
      const res = await t.root.raw('PUT', 'cubbyhole/unaudited', { password: 'never-written' });
      assert.equal(res.status, 500);
      assertErrorBody(res, 'unaudited write');
      const read = await t.root.raw('GET', 'cubbyhole/audited');
      assert.equal(read.status, 500);
      assert.ok(!JSON.stringify(read.body).includes('audited-plaintext'));
    } finally {
      audit.unregister(failing.path);
    }
    assert.equal((await t.root.raw('GET', 'cubbyhole/unaudited')).status, 404, 'the handler ran although the request was not audited');
  });

  it('returns no secret when the response cannot be recorded', async () => {
    const { audit } = t.server.core;
    const requestOnly: AuditDevice = {
      path: 'request-only/',
      logRequest: async () => undefined,
      logResponse: async () => {
        throw new Error('disk full');
      },
    };
    audit.register(requestOnly);
    try {
      const res = await t.root.raw('GET', 'cubbyhole/audited');
      assert.equal(res.status, 500);
      assert.ok(!JSON.stringify(res.body).includes('audited-plaintext'), 'a secret left without its audit entry');
    } finally {
      audit.unregister(requestOnly.path);
    }
  });

  it('passes when at least one device records, and offers it the request before the answer', async () => {
    const { audit } = t.server.core;
    const seen: string[] = [];
    const recording: AuditDevice = {
      path: 'recording/',
      logRequest: async (e: AuditEvent) => void seen.push(`request ${e.request.operation} ${e.request.path}`),
      logResponse: async (e: AuditEvent) => void seen.push(`response ${e.request.operation} ${e.request.path}`),
    };
    audit.register(failing);
    audit.register(recording);
    try {
      const res = await t.root.raw('GET', 'cubbyhole/audited');
      assert.equal(res.status, 200);
      assert.deepEqual(seen, ['request read cubbyhole/audited', 'response read cubbyhole/audited']);
    } finally {
      audit.unregister(failing.path);
      audit.unregister(recording.path);
    }
  });
});
