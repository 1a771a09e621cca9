import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, startDevServer, type TestServer } from './helpers/dev-server.js';
import { parseResponses, rawExchange } from './helpers/raw-http.js';

/**
 * What a client sees when node's HTTP parser refuses a request: LIST and SCAN (methods the
 * parser does not know) however they are split into packets, and every earlier pipelined
 * request still answered, over plain HTTP and over TLS alike.
 */
for (const scheme of SCHEMES) {
  describe(`requests the HTTP parser refuses, over ${scheme}`, () => {
    let t: TestServer;
    let auth = '';
    before(async () => {
      t = await startDevServer({}, {}, scheme);
      auth = `Host: x\r\nX-Vault-Token: ${t.rootToken}\r\n`;
      await t.root.write('secret/data/app/one', { data: { a: '1' } });
    });
    after(() => t.close());

    async function exchange(parts: string[], gapMs = 0, halfClose = false) {
      const out = await rawExchange(t.address, parts, { gapMs, halfClose, timeoutMs: 5000 });
      assert.notEqual(out.ending, 'timeout', 'the server closed the connection');
      const { responses, complete } = parseResponses(out.data);
      assert.ok(complete, `whole responses: ${out.data.toString('latin1')}`);
      return responses;
    }

    it('answers LIST and closes the connection', async () => {
      const [res, ...rest] = await exchange([`LIST /v1/secret/metadata/app HTTP/1.1\r\n${auth}Connection: keep-alive\r\n\r\n`]);
      assert.equal(res!.status, 200);
      assert.equal(res!.headers.connection, 'close');
      assert.deepEqual(JSON.parse(res!.body).data.keys, ['one']);
      assert.equal(rest.length, 0);
    });

    it('answers LIST on a keep-alive connection that already carried a request', async () => {
      const [health, list] = await exchange([`GET /v1/sys/health HTTP/1.1\r\n${auth}\r\n`, `LIST /v1/secret/metadata/ HTTP/1.1\r\n${auth}\r\n`], 100);
      assert.equal(health!.status, 200);
      assert.equal(list!.status, 200);
      assert.deepEqual(JSON.parse(list!.body).data.keys, ['app/']);
    });

    it('answers a LIST whose headers arrive 250 ms after its request line', async () => {
      const [res] = await exchange(['LIST /v1/secret/metadata/app HTTP/1.1\r\n', `${auth}\r\n`], 250);
      assert.equal(res!.status, 200, res!.body);
      assert.deepEqual(JSON.parse(res!.body).data.keys, ['one']);
    });

    it('answers LIST and SCAN split inside the method name', async () => {
      for (const parts of [
        ['LI', `ST /v1/secret/metadata/app HTTP/1.1\r\n${auth}\r\n`],
        ['L', `IST /v1/secret/metadata/app HTTP/1.1\r\n${auth}\r\n`],
        ['LIST', ` /v1/secret/metadata/app HTTP/1.1\r\n${auth}\r\n`],
      ]) {
        const [res] = await exchange(parts, 100);
        assert.equal(res!.status, 200, parts[0]);
        assert.deepEqual(JSON.parse(res!.body).data.keys, ['one'], parts[0]);
      }
      const [scan] = await exchange(['S', `CAN /v1/secret/metadata/ HTTP/1.1\r\n${auth}\r\n`], 100);
      assert.equal(scan!.status, 200);
      assert.deepEqual(JSON.parse(scan!.body).data.keys, ['app/one']);
    });

    it('answers every pipelined request before the one refused, in order', async () => {
      const write = (name: string) => {
        const body = JSON.stringify({ data: { v: name } });
        return `POST /v1/secret/data/pipe/${name} HTTP/1.1\r\n${auth}Content-Length: ${body.length}\r\n\r\n${body}`;
      };
      const cases: [string, string, number][] = [
        ['unknown method', 'FROB /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n', 405],
        ['malformed header', 'GET /v1/sys/health HTTP/1.1\r\nBad Header\r\n\r\n', 400],
        ['LIST', `LIST /v1/secret/metadata/pipe HTTP/1.1\r\n${auth}\r\n`, 200],
      ];
      for (const [label, refused, status] of cases) {
        const name = label.replace(/\W/g, '-');
        const responses = await exchange([write(`${name}-1`) + write(`${name}-2`) + refused]);
        assert.deepEqual(responses.map((r) => r.status), [200, 200, status], label);
        assert.equal(JSON.parse(responses[0]!.body).data.version, 1, label);
        const read = await t.root.read(`secret/data/pipe/${name}-2`);
        assert.equal((read!.data as { data: { v: string } }).data.v, `${name}-2`, label);
      }
      const [, , list] = await exchange([write('x-1') + write('x-2') + `LIST /v1/secret/metadata/pipe HTTP/1.1\r\n${auth}\r\n`]);
      assert.ok(JSON.parse(list!.body).data.keys.includes('x-2'), 'the LIST sees the writes before it');
    });

    it('answers every pipelined request of a client that closes its side right after sending them', async () => {
      // Over TLS that close is a close_notify, which node takes as the end of the connection
      // unless the server allows half-open connections.
      const get = (path: string) => `GET /v1/${path} HTTP/1.1\r\n${auth}\r\n`;
      const responses = await exchange([get('sys/health') + get('secret/data/app/one') + get('sys/seal-status')], 0, true);
      assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
      const [list] = await exchange([`LIST /v1/secret/metadata/app HTTP/1.1\r\n${auth}\r\n`], 0, true);
      assert.equal(list!.status, 200);
    });

    it('refuses LIST headers over the header size limit with 431, and a malformed LIST line with 400', async () => {
      const [big] = await exchange(['LIST /v1/secret/metadata/ HTTP/1.1\r\n', `X-Big: ${'a'.repeat(20_000)}\r\n`]);
      assert.equal(big!.status, 431);
      const [bad] = await exchange([`LIST  /v1/secret/metadata/ HTTP/1.1\r\n${auth}\r\n`]);
      assert.equal(bad!.status, 400);
      assert.match(bad!.body, /malformed LIST request/);
      const [cut] = await exchange(['LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\n'], 0, true);
      assert.equal(cut!.status, 400, 'the client closed its side before the headers ended');
      const [bareLf] = await exchange([`LIST /v1/secret/metadata/ HTTP/1.1\nHost: x\n\n`]);
      assert.equal(bareLf!.status, 400);
    });
  });
}

describe('TLS connections that end early', () => {
  it('closes the connection of every client that refused the certificate', async () => {
    const t = await startDevServer({}, {}, 'https');
    try {
      const url = new URL(t.address);
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve) => {
          // No CA given: the client refuses the self-signed certificate and hangs up.
          const socket = tlsConnect({ port: Number(url.port), host: url.hostname });
          socket.on('error', () => resolve());
          socket.on('secureConnect', () => resolve());
        });
      }
      const server = t.server.servers[0]!.server;
      let open = -1;
      for (let waited = 0; waited < 2000 && open !== 0; waited += 50) {
        open = await promisify(server.getConnections.bind(server))();
        if (open !== 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(open, 0, 'connections left open after failed handshakes');
    } finally {
      await t.close();
    }
  });
});
