/**
 * `coffer server` as a user runs it: the built CLI in a child process. Dev mode's banner
 * and root token, usage errors (exit 2), runtime errors (exit 1, a message, no stack
 * trace) and a clean stop on SIGTERM / SIGINT (exit 0).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { freePort, runCli, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

after(() => stopAllProcessServers());

const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)|^\s+at .+:\d+:\d+$/m;

function tokenClient(server: ProcessServer, token: string) {
  return (method: string, path: string, body?: unknown) =>
    server.request(`/v1/${path}`, { method, body, headers: { 'X-Vault-Token': token } });
}

describe('coffer server -dev', () => {
  it('prints the address, an unseal key and the chosen root token, and that token is root', async () => {
    const port = await freePort();
    const server = await startProcessServer({
      args: ['-dev', '-dev-root-token-id=mytoken', `-dev-listen-address=127.0.0.1:${port}`],
      address: `http://127.0.0.1:${port}`,
    });
    // The banner comes right after the listener is up; give the pipe a moment.
    for (let i = 0; i < 100 && !/Root Token:/.test(server.stdout()); i++) await new Promise((r) => setTimeout(r, 10));
    const out = server.stdout();
    assert.ok(out.includes(`http://127.0.0.1:${port}`), `the address is printed:\n${out}`);
    assert.match(out, /^Root Token: mytoken$/m);
    const unsealKey = /^Unseal Key: (\S+)$/m.exec(out)?.[1];
    assert.ok(unsealKey, `an unseal key is printed:\n${out}`);
    assert.doesNotMatch(server.stderr(), STACK_LINE);

    const root = tokenClient(server, 'mytoken');
    const self = await root('GET', 'auth/token/lookup-self');
    assert.equal(self.status, 200, self.text);
    assert.deepEqual(self.json.data.policies, ['root']);
    assert.equal(self.json.data.id, 'mytoken');

    // Dev mode: unsealed, with kv version 2 at secret/ ready to use.
    assert.equal((await server.request('/v1/sys/health')).status, 200);
    assert.equal((await root('POST', 'secret/data/hello', { data: { foo: 'bar' } })).status, 200);
    assert.equal((await root('GET', 'secret/data/hello')).json.data.data.foo, 'bar');

    // The printed unseal key is the real one.
    assert.equal((await root('PUT', 'sys/seal')).status, 204);
    assert.equal((await server.request('/v1/sys/seal-status')).json.sealed, true);
    const unsealed = await server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } });
    assert.equal(unsealed.status, 200, unsealed.text);
    assert.equal(unsealed.json.sealed, false);
    assert.equal((await root('GET', 'secret/data/hello')).json.data.data.foo, 'bar');

    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
  });

  it('without -dev-root-token-id prints a generated root token that works', async () => {
    const server = await startProcessServer({ dev: {} });
    assert.ok(server.rootToken, server.stdout());
    assert.notEqual(server.rootToken, 'mytoken');
    const self = await tokenClient(server, server.rootToken!)('GET', 'auth/token/lookup-self');
    assert.equal(self.status, 200, self.text);
    assert.deepEqual(self.json.data.policies, ['root']);
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });

  it('stops with exit code 0 on SIGTERM, and stops listening', async () => {
    const server = await startProcessServer({ dev: { rootTokenId: 'term' } });
    const exit = await server.kill('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
    assert.doesNotMatch(server.stderr(), STACK_LINE);
    await assert.rejects(server.request('/v1/sys/health', { agent: false, timeoutMs: 2_000 }), /ECONNREFUSED/);
  });

  it('stops promptly on SIGTERM even while a client is stalled half-way through sending a request', async () => {
    const server = await startProcessServer({ dev: { rootTokenId: 'stall' } });
    const u = new URL(server.address);
    const stalled = http.request({
      host: u.hostname,
      port: u.port,
      path: '/v1/secret/stalled',
      method: 'POST',
      agent: false,
      headers: { 'X-Vault-Token': 'stall', 'Content-Type': 'application/json', 'Content-Length': '100' },
    });
    stalled.on('error', () => {}); // the server may reset it: that is fine
    stalled.write('{"a":'); // ...and never the rest
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const exit = await server.stop(5_000); // SIGTERM, then SIGKILL after 5 s
    const took = Date.now() - started;
    stalled.destroy();
    assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM did not stop the server within 5 s (took ${took} ms)\n${server.stderr()}`);
  });

  it('stops with exit code 0 on SIGINT (Ctrl-C)', async () => {
    const server = await startProcessServer({ dev: {} });
    assert.deepEqual(await server.kill('SIGINT'), { code: 0, signal: null }, server.stderr());
  });

  it('exits 1 with a clear message when the listen address is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const res = await runCli(['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`]);
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.match(res.stderr, /in use|EADDRINUSE/i);
      assert.doesNotMatch(res.stderr, STACK_LINE);
    } finally {
      blocker.close();
    }
  });
});

describe('coffer server: usage and errors', () => {
  it('exits 2 with a usage message when given neither -config nor -dev', async () => {
    const res = await runCli(['server']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /-config/);
    assert.match(res.stderr, /-dev/);
    assert.match(res.stderr, /Usage: coffer server/);
    assert.doesNotMatch(res.stderr, STACK_LINE);
  });

  it('exits 1 with a message naming the file, and no stack trace, for -config=/nonexistent', async () => {
    const res = await runCli(['server', '-config=/nonexistent']);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /\/nonexistent/);
    assert.match(res.stderr, /ENOENT|no such file|cannot read/i);
    assert.doesNotMatch(res.stderr, STACK_LINE);
    assert.ok(res.stderr.trim().split('\n').length <= 3, `a short message, not a dump:\n${res.stderr}`);
  });

  it('exits 2 naming an unknown flag', async () => {
    const res = await runCli(['server', '-dev', '-no-such-flag=1']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /no-such-flag/);
    assert.doesNotMatch(res.stderr, STACK_LINE);
  });

  it('exits 2 for a flag missing its value', async () => {
    const res = await runCli(['server', '-config']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /-config/);
  });

  it('exits 0 with the options on stdout for -help', async () => {
    const res = await runCli(['server', '-help']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /-dev-root-token-id/);
    assert.match(res.stdout, /-dev-listen-address/);
  });

  it('exits 2 for no command and for an unknown command', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout + none.stderr, /server/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /frobnicate/);
  });
});
