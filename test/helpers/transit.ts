/** What the transit API tests share: a server with transit mounted, and terse request helpers. */
import assert from 'node:assert/strict';
import type { ApiClient, HttpMethod, RawResponse } from '../../src/api/client.js';
import { startDevServer, type TestServer } from './dev-server.js';

export type Body = Record<string, unknown> & { data?: Record<string, any> | null; errors?: string[]; warnings?: string[] | null };
export type Res = RawResponse<Body>;

export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
export const unb64 = (s: string) => Buffer.from(s, 'base64');

export interface TransitTest {
  t: TestServer;
  call(method: HttpMethod, path: string, body?: unknown, client?: ApiClient): Promise<Res>;
  /** POST transit/<path>, answered 2xx; returns data. */
  write(path: string, body?: unknown): Promise<Record<string, any>>;
  read(path: string): Promise<Record<string, any>>;
}

export async function startTransit(mount = 'transit'): Promise<TransitTest> {
  const t = await startDevServer();
  const mounted = await t.root.raw('POST', `sys/mounts/${mount}`, { type: 'transit' });
  assert.equal(mounted.status, 204, JSON.stringify(mounted.body));
  const call = (method: HttpMethod, path: string, body?: unknown, client: ApiClient = t.root) => client.raw<Body>(method, path, body);
  return {
    t,
    call,
    async write(path, body = {}) {
      return ok(await call('POST', `${mount}/${path}`, body)).body?.data ?? {};
    },
    async read(path) {
      return ok(await call('GET', `${mount}/${path}`)).body!.data!;
    },
  };
}

export function ok(res: Res, status?: number): Res {
  if (status === undefined) assert.ok(res.status >= 200 && res.status < 300, `expected 2xx, got ${res.status} ${JSON.stringify(res.body)}`);
  else assert.equal(res.status, status, JSON.stringify(res.body));
  return res;
}

/** A 400 whose message matches `pattern`; returns the message. */
export function bad(res: Res, pattern: RegExp, status = 400): string {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const message = (res.body?.errors ?? []).join('; ');
  assert.match(message, pattern);
  return message;
}
