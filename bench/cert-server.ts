/**
 * Servers for bench/cert-login.ts, each in its own process, printing one JSON line first.
 * `node cert-server.js coffer <tls.crt> <tls.key> [inmem|sqlite]`: Coffer in dev mode on a TLS
 * listener that asks for client certificates (the default). `node cert-server.js bare <crt>
 * <key>`: node:https with the same TLS settings answering a fixed 200: the floor.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';

const [kind, certFile, keyFile, storage = 'sqlite'] = process.argv.slice(2);

if (kind === 'bare') {
  const body = JSON.stringify({ ok: true });
  const server = createServer({ cert: readFileSync(certFile!), key: readFileSync(keyFile!), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    // Touch the peer certificate as Coffer does, so the floor pays for reading it too.
    (req.socket as import('node:tls').TLSSocket).getPeerCertificate(true);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body));
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ address: `https://127.0.0.1:${(server.address() as { port: number }).port}` }) + '\n');
  });
  process.on('SIGTERM', () => process.exit(0));
} else {
  const config = { ...devConfig('127.0.0.1:0'), logLevel: 'warn' as const };
  config.listeners = [{ ...config.listeners[0]!, tlsDisable: false, tlsCertFile: certFile, tlsKeyFile: keyFile }];
  let dir: string | undefined;
  if (storage === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'coffer-bench-cert-'));
    config.storage = { type: 'sqlite', config: { path: join(dir, 'coffer.db') } };
  }
  const server = await startServer(config, {});
  process.stdout.write(JSON.stringify({ address: server.address, token: server.dev!.rootToken }) + '\n');
  process.on('SIGTERM', () => {
    for (const s of server.servers) s.server.closeAllConnections();
    void server.close().then(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}
