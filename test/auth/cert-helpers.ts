/** A dev server with a TLS listener that asks for client certificates (and a plain one beside it), and clients presenting them. */
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { devConfig, type ListenerConfig } from '../../src/server/server-config.js';
import type { Pair } from '../helpers/client-certs.js';
import { listenerCertificate, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { enable } from './helpers.js';

export interface CertServer extends TestServer {
  /** http:// address of the plain listener (OCSP responders are fetched over it). */
  plain: string;
  /** A client over TLS presenting `pair` (or no certificate). */
  as(pair?: Pair, token?: string): ApiClient;
}

/** `admin`: the certificate the root client presents, for listeners that require one. */
export async function startCertServer(tlsListener: Partial<ListenerConfig> = {}, admin?: Pair): Promise<CertServer> {
  const tls = listenerCertificate('https')!;
  const base = devConfig('127.0.0.1:0').listeners[0]!;
  const t = await startDevServer(
    { listeners: [{ ...base, tlsDisable: false, tlsCertFile: tls.certFile, tlsKeyFile: tls.keyFile, ...tlsListener }, { ...base }] },
    {},
    'https',
  );
  const bound = t.server.servers[1]!.server.address();
  const plain = `http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}`;
  const as = (pair?: Pair, token?: string) => createApiClient({ address: t.address, token, tls: { ca: tls.cert, ...(pair ? { cert: pair.cert, key: pair.key } : {}) } });
  const root = admin ? as(admin, t.rootToken) : t.root;
  await enable(root, 'cert', 'cert');
  return { ...t, root, plain, as };
}

/** A client presenting `leaf` with `chain` (intermediates) after it. */
export function withChain(t: CertServer, leaf: Pair, chain: Pair[], token?: string): ApiClient {
  return createApiClient({ address: t.address, token, tls: { ca: t.tls!.cert, cert: leaf.cert + chain.map((c) => c.cert).join(''), key: leaf.key } });
}
