#!/usr/bin/env node
/** The `coffer` command. Exit codes as Vault's CLI: 0 ok, 1 error, 2 usage. */
import { UsageError } from './flags.js';
import { serverCommand, serverHelp } from './server-command.js';

const usage = `Usage: coffer <command> [args]

Common commands:
    server    Start a Coffer server

Run "coffer <command> -help" for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return serverCommand(rest);
    case undefined:
    case '-h':
    case '-help':
    case '--help':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${serverHelp}`);
      process.exit(2);
    }
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
