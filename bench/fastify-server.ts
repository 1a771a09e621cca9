/**
 * A reference point between the ceiling and Coffer: a bare Fastify app (the HTTP framework
 * Coffer uses) answering the same fixed body as bare-server on `/v1/*`. Prints
 * `{"address":...}` on stdout as one line and runs until killed.
 */
import Fastify from 'fastify';
import { fixedBody } from './bare-server.js';

const body = fixedBody.toString('utf8');
const app = Fastify({ logger: false });
app.get('/v1/*', (_req, reply) => reply.header('cache-control', 'no-store').header('content-type', 'application/json').send(body));
await app.listen({ host: '127.0.0.1', port: 0 });
const bound = app.server.address();
const port = typeof bound === 'object' && bound ? bound.port : 0;
process.stdout.write(JSON.stringify({ address: `http://127.0.0.1:${port}` }) + '\n');

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
