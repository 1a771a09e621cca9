/** `coffer server`: run a server from a config file, or a throwaway dev server. */
import { loadConfigFile } from '../server/config-file.js';
import { devConfig } from '../server/server-config.js';
import { startServer } from '../server/start-server.js';
import { parseFlags, UsageError } from './flags.js';

export const serverHelp = `Usage: coffer server [options]

  Start a Coffer server. With -dev, an in-memory server that is initialized and
  unsealed, with its root token printed: never for production.

Options:
  -config=<path>               Server configuration file (HCL or JSON). Repeatable.
  -dev                         Development mode: in-memory, unsealed, root token printed.
  -dev-root-token-id=<string>  The root token to use in dev mode.
  -dev-listen-address=<addr>   Address to listen on in dev mode (default 127.0.0.1:8200).
  -log-level=<level>           trace, debug, info, warn or error.
`;

export async function serverCommand(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, {
    config: { type: 'string', repeatable: true },
    dev: { type: 'bool', default: false },
    'dev-root-token-id': { type: 'string' },
    'dev-listen-address': { type: 'string', default: '127.0.0.1:8200' },
    'log-level': { type: 'string' },
    help: { type: 'bool', default: false },
    h: { type: 'bool', default: false },
  });
  if (flags.help || flags.h) {
    process.stdout.write(serverHelp);
    return 0;
  }
  const configs = (flags.config as string[] | undefined) ?? [];
  if (!flags.dev && configs.length === 0) throw new UsageError('either -config or -dev is required');
  const config = flags.dev ? devConfig(String(flags['dev-listen-address'])) : loadConfigFile(configs);
  if (flags['log-level']) config.logLevel = (await import('../logging/logger.js')).parseLogLevel(String(flags['log-level']));

  const server = await startServer(config, flags.dev ? { rootTokenId: flags['dev-root-token-id'] as string | undefined } : undefined);
  const out = process.stdout;
  out.write('==> Coffer server configuration:\n\n');
  out.write(`             Api Address: ${server.address}\n`);
  out.write(`                 Storage: ${config.storage.type}\n`);
  out.write(`               Log Level: ${config.logLevel}\n`);
  out.write(`                      UI: ${config.ui ? `${server.address}/ui/` : 'disabled'}\n\n`);
  if (server.dev) {
    out.write(`WARNING! dev mode is enabled! In this mode, Coffer runs entirely in-memory
and starts unsealed with a single unseal key. Nothing survives a restart.

To use the CLI or any Vault client against it, set:

    $ export VAULT_ADDR='${server.address}'
    $ export VAULT_TOKEN='${server.dev.rootToken}'

The unseal key and root token are displayed below in case you want to
seal/unseal the server or re-authenticate.

Unseal Key: ${server.dev.unsealKey}
Root Token: ${server.dev.rootToken}

Development mode should NOT be used in production installations!
\n`);
  }
  out.write('==> Coffer server started! Log data will stream in below:\n\n');

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  server.logger.info('shutting down');
  await server.close();
  return 0;
}
