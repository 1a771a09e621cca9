/**
 * The template runner when the server misbehaves or the token changes: server errors are
 * retried with backoff until the secret arrives, and after re-authentication the runner
 * carries on with the new token (the old one's event stream ends; the new one's opens).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTemplateRunner, type TemplateRunner } from '../src/agent/render/runner.js';
import { silentLogger } from '../src/logging/logger.js';
import { startDevServer } from './helpers/dev-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

describe('agent template runner resilience', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-agent-resilience-'));
  const runners: TemplateRunner[] = [];
  after(async () => {
    for (const r of runners) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a secret the server answers with 503 and renders once it is served', async () => {
    // A server in Vault's shape that is unavailable for its first three reads.
    let reads = 0;
    const seen: number[] = [];
    const server: Server = createServer((req, res) => {
      if (req.url?.startsWith('/v1/sys/events/subscribe')) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[]}');
        return;
      }
      if (req.url === '/v1/secret/data/flaky') {
        seen.push(Date.now());
        if (++reads <= 3) {
          res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"errors":["Vault is sealed"]}');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ request_id: 'r', lease_id: '', renewable: false, lease_duration: 0, data: { data: { v: 'served' }, metadata: { version: 1 } }, wrap_info: null, warnings: null, auth: null }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const file = join(dir, 'flaky.txt');
      let fatal: Error | undefined;
      const r = startTemplateRunner({
        address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: () => 'agent-token',
        templates: [{ contents: '{{ (secret "secret/data/flaky").Data.data.v }}', destination: file }],
        envTemplates: [],
        staticSecretRenderIntervalMs: 60_000,
        exitOnRetryFailure: true,
        logger: silentLogger,
        onFatal: (e) => (fatal = e),
      });
      runners.push(r);
      await r.firstRender;
      assert.equal(read(file), 'served');
      assert.equal(fatal, undefined);
      assert.equal(seen.length, 4);
      const gaps = seen.slice(1).map((t, i) => t - seen[i]!);
      assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `backoff grows: ${gaps.join(', ')} ms`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a kv-v2 secret named without data/ renders once a sealed server answers its mount lookup', async () => {
    // The mount lookup fails while the server is sealed (503), then describes a kv-v2 mount.
    let lookups = 0;
    const reads: string[] = [];
    const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const server: Server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/v1/sys/internal/ui/mounts/')) {
        if (++lookups <= 2) return json(res, 503, { errors: ['Vault is sealed'] });
        return json(res, 200, { data: { path: 'secret/', type: 'kv', options: { version: '2' } } });
      }
      if (url === '/v1/secret/data/app' || url === '/v1/secret/app') {
        reads.push(url);
        if (url === '/v1/secret/app') return json(res, 404, { errors: [] });
        return json(res, 200, { request_id: 'r', lease_id: '', renewable: false, lease_duration: 0, data: { data: { v: 'unsealed' }, metadata: { version: 1 } }, wrap_info: null, warnings: null, auth: null });
      }
      json(res, 404, { errors: [] });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const file = join(dir, 'shim.txt');
      const r = startTemplateRunner({
        address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: () => 'agent-token',
        templates: [{ contents: '{{ with secret "secret/app" }}{{ .Data.data.v }}{{ end }}', destination: file }],
        envTemplates: [],
        staticSecretRenderIntervalMs: 60_000,
        exitOnRetryFailure: true,
        logger: silentLogger,
      });
      runners.push(r);
      await r.firstRender;
      assert.equal(read(file), 'unsealed');
      assert.equal(lookups, 3);
      assert.deepEqual(reads, ['/v1/secret/data/app']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('follows the token through re-authentication: the old stream ends, the new token carries on', async () => {
    const t = await startDevServer({}, { eventStreams: { tokenCheckMs: 100 } });
    try {
      const create = async () => (await t.root.write('auth/token/create', { policies: ['root'] }))!.auth!.client_token as string;
      let token = await create();
      await t.root.write('secret/data/reauth', { data: { v: 'one' } });
      const file = join(dir, 'reauth.txt');
      const r = startTemplateRunner({
        address: t.address,
        token: () => token,
        templates: [{ contents: '{{ (secret "secret/data/reauth").Data.data.v }}', destination: file }],
        envTemplates: [],
        staticSecretRenderIntervalMs: 60_000,
        exitOnRetryFailure: false,
        logger: silentLogger,
      });
      runners.push(r);
      await r.firstRender;
      assert.equal(read(file), 'one');
      // Auto-auth logs in again and the old token is revoked.
      const old = token;
      token = await create();
      await t.root.write('auth/token/revoke', { token: old });
      await sleep(1500); // the server ends the old stream; the runner reconnects with the new token
      await t.root.write('secret/data/reauth', { data: { v: 'two' } });
      const deadline = Date.now() + 3000;
      while (read(file) !== 'two' && Date.now() < deadline) await sleep(20);
      assert.equal(read(file), 'two');
    } finally {
      await t.close();
    }
  });
});
