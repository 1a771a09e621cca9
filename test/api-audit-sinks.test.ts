/**
 * Socket and syslog audit devices against real local listeners: a TCP server, a unix
 * socket server and a UDP syslog receiver, each collecting what the server sends.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditHash, pairById, type AuditLine } from './helpers/audit-log.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';
import { freePort } from './helpers/process-server.js';

type Body = Record<string, any>;

/** A stream server that keeps every line it receives. */
async function lineCollector(listen: (srv: Server) => void): Promise<{ server: Server; lines: string[] }> {
  const lines: string[] = [];
  const server = createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        lines.push(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    socket.on('error', () => undefined);
  });
  listen(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, lines };
}

const entries = (lines: string[]) => lines.map((l) => JSON.parse(l) as AuditLine);

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('socket and syslog audit devices', () => {
  let t: TestServer;
  let dir: string;
  const closers: (() => void)[] = [];
  before(async () => {
    t = await startDevServer();
    dir = mkdtempSync(join(tmpdir(), 'coffer-audit-sinks-'));
    await t.root.write('secret/data/sink', { data: { value: 'sink-secret' } });
  });
  after(async () => {
    await t.close();
    for (const close of closers) close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends both entries of a request as JSON lines to a TCP collector, hashed', async () => {
    const { server, lines } = await lineCollector((s) => s.listen(0, '127.0.0.1'));
    closers.push(() => server.close());
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await t.root.raw('PUT', 'sys/audit/tcp', { type: 'socket', options: { address, socket_type: 'tcp' } });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const read = await t.root.raw<Body>('GET', 'secret/data/sink');
    // The response entry was handed to the kernel before the answer left; give the collector a moment to read it.
    await until(() => entries(lines).some((e) => e.type === 'response' && e.request.id === read.body!.request_id), 'the response entry');
    const { response } = pairById(entries(lines), read.body!.request_id);
    assert.equal(response.response!.data.data.value, await auditHash(t.root, 'tcp', 'sink-secret'));
    assert.deepEqual((await t.root.raw<Body>('GET', 'sys/audit')).body!.data['tcp/'].options, { address, socket_type: 'tcp' });
    assert.equal((await t.root.raw('DELETE', 'sys/audit/tcp')).status, 204);
  });

  it('sends entries to a unix socket collector', async () => {
    const path = join(dir, 'audit.sock');
    const { server, lines } = await lineCollector((s) => s.listen(path));
    closers.push(() => server.close());
    const res = await t.root.raw('PUT', 'sys/audit/unix', { type: 'socket', options: { address: path, socket_type: 'unix', write_timeout: '5s' } });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const read = await t.root.raw<Body>('GET', 'secret/data/sink');
    await until(() => entries(lines).some((e) => e.type === 'response' && e.request.id === read.body!.request_id), 'the response entry');
    assert.equal((await t.root.raw('DELETE', 'sys/audit/unix')).status, 204);
  });

  it('reconnects to a collector that dropped the connection', async () => {
    const { server, lines } = await lineCollector((s) => s.listen(0, '127.0.0.1'));
    closers.push(() => server.close());
    const connections: Socket[] = [];
    server.on('connection', (socket) => connections.push(socket));
    const port = (server.address() as AddressInfo).port;
    assert.equal((await t.root.raw('PUT', 'sys/audit/flaky', { type: 'socket', options: { address: `127.0.0.1:${port}` } })).status, 204);
    await t.root.raw('GET', 'secret/data/sink');
    // The collector hangs up; the next entry goes out on a new connection.
    for (const socket of connections) socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const read = await t.root.raw<Body>('GET', 'secret/data/sink');
    assert.equal(read.status, 200);
    await until(() => entries(lines).some((e) => e.type === 'response' && e.request.id === read.body!.request_id), 'an entry on a new connection');
    assert.equal(connections.length, 2);
    for (const socket of connections) socket.destroy();
    assert.equal((await t.root.raw('DELETE', 'sys/audit/flaky')).status, 204);
  });

  it('refuses a socket device whose collector cannot be reached (400), keeping nothing', async () => {
    const port = await freePort();
    const res = await t.root.raw<Body>('PUT', 'sys/audit/down', { type: 'socket', options: { address: `127.0.0.1:${port}` } });
    assert.equal(res.status, 400);
    assert.match(res.body!.errors[0], /ECONNREFUSED/);
    const unix = await t.root.raw<Body>('PUT', 'sys/audit/down', { type: 'socket', options: { address: join(dir, 'nobody.sock'), socket_type: 'unix' } });
    assert.equal(unix.status, 400);
    assert.deepEqual(Object.keys((await t.root.raw<Body>('GET', 'sys/audit')).body!.data), []);
  });

  it('sends RFC 5424 syslog messages over UDP with the facility and tag asked', async () => {
    const receiver: UdpSocket = createSocket('udp4');
    const messages: string[] = [];
    receiver.on('message', (m) => messages.push(m.toString('utf8')));
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    closers.push(() => receiver.close());
    const address = `127.0.0.1:${receiver.address().port}`;
    const res = await t.root.raw('PUT', 'sys/audit/syslog', { type: 'syslog', options: { address, facility: 'LOCAL3', tag: 'coffer-test' } });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const read = await t.root.raw<Body>('GET', 'secret/data/sink');
    await until(() => messages.some((m) => m.includes(read.body!.request_id) && m.includes('"type":"response"')), 'the syslog response entry');
    const message = messages.find((m) => m.includes(read.body!.request_id) && m.includes('"type":"response"'))!;
    // <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG; PRI = LOCAL3 (19) * 8 + info (6).
    const m = /^<158>1 (\S+) (\S+) coffer-test (\d+) - - (\{.*\})$/.exec(message);
    assert.ok(m, message.slice(0, 120));
    assert.equal(Number(m[3]), process.pid);
    const entry = JSON.parse(m[4]!) as AuditLine;
    assert.equal(entry.response!.data.data.value, await auditHash(t.root, 'syslog', 'sink-secret'));
    assert.equal((await t.root.raw('DELETE', 'sys/audit/syslog')).status, 204);
  });

  it('defaults syslog to the AUTH facility and the coffer tag', async () => {
    const receiver = createSocket('udp4');
    const messages: string[] = [];
    receiver.on('message', (m) => messages.push(m.toString('utf8')));
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    closers.push(() => receiver.close());
    assert.equal((await t.root.raw('PUT', 'sys/audit/syslog2', { type: 'syslog', options: { address: `127.0.0.1:${receiver.address().port}` } })).status, 204);
    await t.root.raw('GET', 'secret/data/sink');
    await until(() => messages.length >= 2, 'two syslog messages');
    assert.match(messages[0]!, /^<38>1 \S+ \S+ coffer \d+ - - \{/); // AUTH (4) * 8 + info (6)
    assert.equal((await t.root.raw('DELETE', 'sys/audit/syslog2')).status, 204);
  });
});
