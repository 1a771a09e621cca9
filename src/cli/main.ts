#!/usr/bin/env node
/** The `coffer` command. Exit codes as Vault's CLI: 0 ok, 1 error, 2 usage. */
import { ROOT, COMMON } from './commands/index.js';
import type { CliIo } from './context.js';
import { dispatch } from './dispatch.js';
import { describeError } from './errors.js';
import { columns } from './output/table.js';

function usage(): string {
  const rows = (names: string[]) =>
    columns(
      ROOT.children
        .filter((c) => names.includes(c.name))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((c) => [c.name, c.synopsis]),
    )
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  const others = ROOT.children.map((c) => c.name).filter((n) => !COMMON.includes(n));
  return `Usage: coffer <command> [args]

Common commands:
${rows(COMMON)}

Other commands:
${rows(others)}

Run "coffer <command> -help" for a command's options. The server's address
and token come from COFFER_ADDR and COFFER_TOKEN (or VAULT_ADDR and
VAULT_TOKEN); the default address is http://127.0.0.1:8200.
`;
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const [command] = argv;
  if (command === undefined || ['-h', '-help', '--help', 'help'].includes(command)) {
    (command === undefined ? io.stderr : io.stdout).write(usage());
    return command === undefined ? 2 : 0;
  }
  if (!ROOT.children.some((c) => c.name === command)) {
    io.stderr.write(`Unknown command "${command}".\n\n${usage()}`);
    return 2;
  }
  return dispatch(ROOT, argv, io);
}

/** Exit once both streams have drained, so piped output is never cut short. */
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
main(process.argv.slice(2), io).then(exit, (err: unknown) => {
  process.stderr.write(`Error: ${describeError(err)}\n`);
  exit(1);
});
