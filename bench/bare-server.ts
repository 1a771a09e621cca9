/**
 * The ceiling: a bare node:http server that answers every request with a fixed JSON body
 * of about the size of a token lookup-self answer; a request other than GET once its body
 * has been read, as any server that uses the body must. Prints `{"address":...}` on stdout
 * as one line and runs until killed.
 *
 * `POST /bare-encrypt` is the floor of a transit encrypt instead: what any node:http server
 * must do for one, and nothing else (no token, policy, routing or validation): parse the
 * JSON body, decode the base64 plaintext, seal it with AES-256-GCM under a random nonce and
 * answer Vault's envelope with the ciphertext. It seals with transit's own `aeadSeal` (pooled
 * nonces, one output buffer) and writes the JSON and headers by hand, so that it is a floor
 * and not a strawman, and the cipher work on both sides is the same code.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { aeadSeal } from '../src/engines/transit/aead.js';

export const fixedBody = Buffer.from(
  JSON.stringify({
    request_id: '6f0c4a0e-5b0b-4c1e-9a7e-3f6d2b8c9d10',
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: {
      accessor: 'kBsXzA1cUpVbqXQOvWpYgE3r',
      creation_time: 1735689600,
      creation_ttl: 0,
      display_name: 'root',
      entity_id: '',
      expire_time: null,
      explicit_max_ttl: 0,
      id: 'hvs.CAESIJ7mQ2bJfWvXl0sRkP4yT9aZcN3dE8uH1gF6iO5qL2wB',
      meta: null,
      num_uses: 0,
      orphan: true,
      path: 'auth/token/root',
      policies: ['root'],
      ttl: 0,
      type: 'service',
    },
    wrap_info: null,
    warnings: null,
    auth: null,
  }),
);

const encryptionKey = randomBytes(32);

function bareEncrypt(body: Buffer, res: ServerResponse): void {
  const plaintext = Buffer.from((JSON.parse(body.toString('utf8')) as { plaintext: string }).plaintext, 'base64');
  const sealed = aeadSeal('aes-256-gcm', encryptionKey, plaintext, null, null);
  const text =
    `{"request_id":"${randomUUID()}","lease_id":"","renewable":false,"lease_duration":0,` +
    `"data":{"ciphertext":"vault:v1:${sealed.toString('base64')}","key_version":1},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"transit"}`;
  res.writeHead(200, ['content-type', 'application/json', 'cache-control', 'no-store', 'content-length', String(Buffer.byteLength(text))]);
  res.end(text);
}

function main(): void {
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': fixedBody.length });
    res.end(fixedBody);
  };
  const afterBody = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (req.url !== '/bare-encrypt') return answer(res);
    try {
      bareEncrypt(body, res);
    } catch {
      res.writeHead(400).end();
    }
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET') return answer(res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => afterBody(req, res, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(JSON.stringify({ address: `http://127.0.0.1:${port}`, bodyBytes: fixedBody.length }) + '\n');
  });
  const stop = () => server.close(() => process.exit(0)).closeAllConnections();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
