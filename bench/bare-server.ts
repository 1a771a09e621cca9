/**
 * The ceiling: a bare node:http server that answers every request with a fixed JSON body
 * of about the size of a token lookup-self answer; a request other than GET once its body
 * has been read, as any server that uses the body must. Prints `{"address":...}` on stdout
 * as one line and runs until killed.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

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

function main(): void {
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': fixedBody.length });
    res.end(fixedBody);
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET') return answer(res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(res));
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
