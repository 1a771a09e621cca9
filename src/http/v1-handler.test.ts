import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../core/core.js';
import { createLogger } from '../logging/logger.js';
import type { Response } from '../logical/request.js';
import { DEFAULT_JSON_LIMITS } from './json-body.js';
import { createV1Handler } from './v1-handler.js';

/**
 * This test is about the handler's writing of answers, so the core behind it is a fake that
 * answers by request path, including answers no real handler gives (a header value with a
 * CR/LF, a status node refuses). The real core is behind the same handler in test/api-*.
 */
const answers: Record<string, () => Promise<Response>> = {
  echo: async () => ({ data: { ok: true } }),
  'bad-header': async () => ({ data: { ok: true }, headers: { location: 'x\r\nset-cookie: a=b' } }),
  'bad-status': async () => ({ data: { ok: true }, status: 42 }),
  slow: () => new Promise((resolve) => setTimeout(() => resolve({ data: { late: true } }), 30)),
};

const core = {
  handle: (req: { path: string }) => (answers[req.path] ?? answers['echo']!)(),
} as unknown as Core;

function get(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/v1/${path}`, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('v1 handler: answers queued to the end of the event-loop turn', () => {
  let server: Server;
  let port: number;
  before(async () => {
    const v1 = createV1Handler({ core, logger: createLogger({ name: 'test', write: () => undefined }), maxRequestSize: 1024, jsonLimits: DEFAULT_JSON_LIMITS });
    server = createServer(v1);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers every one of many concurrent requests, each with its own answer', async () => {
    const paths = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 'slow' : 'echo'));
    const results = await Promise.all(paths.map((p) => get(port, p)));
    results.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body).data, paths[i] === 'slow' ? { late: true } : { ok: true });
    });
  });

  it('turns a header value node would refuse into a 500 instead of a crash or a split header', async () => {
    const r = await get(port, 'bad-header');
    assert.equal(r.status, 500);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.deepEqual(JSON.parse(r.body), { errors: ['internal error'] });
    // The server is still up and answering.
    assert.equal((await get(port, 'echo')).status, 200);
  });

  it('turns a status node would refuse into a 500', async () => {
    const r = await get(port, 'bad-status');
    assert.equal(r.status, 500);
    assert.equal((await get(port, 'echo')).status, 200);
  });
});
