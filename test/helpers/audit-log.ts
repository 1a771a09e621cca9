/** Reading audit logs in tests: JSON lines, found by request path or id. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { ApiClient } from '../../src/api/client.js';

export interface AuditLine {
  time: string;
  type: 'request' | 'response';
  auth: Record<string, any>;
  request: Record<string, any>;
  response?: Record<string, any>;
  error?: string;
}

/** Every entry of a log, in order; `prefix` is stripped from each line (and must be there). */
export function readAuditLog(path: string, prefix = ''): AuditLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      assert.ok(l.startsWith(prefix), `line without the prefix ${JSON.stringify(prefix)}: ${l.slice(0, 80)}`);
      return JSON.parse(l.slice(prefix.length)) as AuditLine;
    });
}

/** The request and response entries of the last request to `path` (optionally with `operation`). */
export function lastPair(lines: AuditLine[], path: string, operation?: string): { request: AuditLine; response: AuditLine } {
  const responses = lines.filter((l) => l.type === 'response' && l.request.path === path && (!operation || l.request.operation === operation));
  const response = responses.at(-1);
  assert.ok(response, `no response entry for ${operation ?? ''} ${path}`);
  const request = lines.find((l) => l.type === 'request' && l.request.id === response.request.id);
  assert.ok(request, `no request entry for ${path} (id ${response.request.id})`);
  assert.ok(lines.indexOf(request) < lines.indexOf(response), 'the request entry comes first');
  return { request, response };
}

/** Both entries of the request with this id. */
export function pairById(lines: AuditLine[], id: string): { request: AuditLine; response: AuditLine } {
  const request = lines.find((l) => l.type === 'request' && l.request.id === id);
  const response = lines.find((l) => l.type === 'response' && l.request.id === id);
  assert.ok(request && response, `no request/response pair for request ${id}`);
  return { request, response };
}

/** sys/audit-hash of `input` with the device at `device`. */
export async function auditHash(client: ApiClient, device: string, input: string): Promise<string> {
  const res = await client.raw<{ hash: string; data: { hash: string } }>('POST', `sys/audit-hash/${device}`, { input });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body!.data.hash, res.body!.hash, 'the hash is under data and at the top level');
  return res.body!.data.hash;
}

/** RFC 3339 with nine fractional digits, UTC. */
export const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
export const HMAC = /^hmac-sha256:[0-9a-f]{64}$/;
