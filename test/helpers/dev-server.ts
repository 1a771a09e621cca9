/** A real server on a free loopback port, in this process, for API tests. */
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig, type ServerConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/start-server.js';
import { selfSignedCert, type TestCertificate } from './tls-cert.js';

/** The listeners every client compatibility test runs over: production runs TLS, dev mode plain HTTP. */
export const SCHEMES = ['http', 'https'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface TestServer {
  server: RunningServer;
  address: string;
  rootToken: string;
  /** A client holding the root token. */
  root: ApiClient;
  /** A client with no token. */
  anon: ApiClient;
  client(token?: string): ApiClient;
  /** The listener's certificate, when it serves TLS: clients trust it as their CA. */
  tls?: TestCertificate;
  close(): Promise<void>;
}

let certificate: TestCertificate | undefined;
/** The certificate of every TLS test listener in this process (made once: it costs an openssl run); none for plain HTTP. */
export function listenerCertificate(scheme: Scheme): TestCertificate | undefined {
  if (scheme === 'http') return undefined;
  certificate ??= selfSignedCert();
  return certificate;
}

/** The configuration of a dev server whose one listener serves `scheme`. */
export function listenerConfig(scheme: Scheme): Partial<ServerConfig> {
  const tls = listenerCertificate(scheme);
  if (!tls) return {};
  return { listeners: [{ ...devConfig('127.0.0.1:0').listeners[0]!, tlsDisable: false, tlsCertFile: tls.certFile, tlsKeyFile: tls.keyFile }] };
}

/**
 * Environment for a child process (hvac, a CLI) that must trust the test certificate: hvac
 * reads VAULT_CACERT, and the requests library under it REQUESTS_CA_BUNDLE.
 */
export function trustEnv(t: Pick<TestServer, 'tls'>): Record<string, string> {
  return t.tls ? { VAULT_CACERT: t.tls.certFile, REQUESTS_CA_BUNDLE: t.tls.certFile } : {};
}

/** node-vault's options for trusting the test certificate (its request library takes a CA per request). */
export function nodeVaultTrust(t: Pick<TestServer, 'tls'>): { requestOptions?: { ca: string } } {
  return t.tls ? { requestOptions: { ca: t.tls.cert } } : {};
}

export async function startDevServer(overrides: Partial<ServerConfig> = {}, options: StartOptions = {}, scheme: Scheme = 'http'): Promise<TestServer> {
  const config = { ...devConfig('127.0.0.1:0'), logLevel: 'off' as const, ...listenerConfig(scheme), ...overrides };
  const server = await startServer(config, { rootTokenId: undefined }, silentLogger, options);
  const rootToken = server.dev!.rootToken;
  const address = server.address;
  const tls = listenerCertificate(scheme);
  const client = (token?: string) => createApiClient({ address, token, ...(tls ? { tls: { ca: tls.cert } } : {}) });
  return {
    server,
    address,
    rootToken,
    root: client(rootToken),
    anon: client(),
    client,
    tls,
    close: () => server.close(),
  };
}
