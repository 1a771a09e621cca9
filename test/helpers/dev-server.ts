/** A real server on a free loopback port, in this process, for API tests. */
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { silentLogger } from '../../src/logging/logger.js';
import { devConfig, type ServerConfig } from '../../src/server/server-config.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/start-server.js';

export interface TestServer {
  server: RunningServer;
  address: string;
  rootToken: string;
  /** A client holding the root token. */
  root: ApiClient;
  /** A client with no token. */
  anon: ApiClient;
  client(token?: string): ApiClient;
  close(): Promise<void>;
}

export async function startDevServer(overrides: Partial<ServerConfig> = {}, options: StartOptions = {}): Promise<TestServer> {
  const config = { ...devConfig('127.0.0.1:0'), logLevel: 'off' as const, ...overrides };
  const server = await startServer(config, { rootTokenId: undefined }, silentLogger, options);
  const rootToken = server.dev!.rootToken;
  const address = server.address;
  return {
    server,
    address,
    rootToken,
    root: createApiClient({ address, token: rootToken }),
    anon: createApiClient({ address }),
    client: (token) => createApiClient({ address, token }),
    close: () => server.close(),
  };
}
