/**
 * The command tree and how argv finds its way down it: groups (`kv`, `kv metadata`,
 * `operator`…) print their subcommands; leaves run through the command runner.
 */
import { runCommand, wantsHelp, type CommandDef } from './command.js';
import type { CliIo } from './context.js';
import { UsageError } from './flags.js';
import { columns } from './output/table.js';

export interface Group {
  name: string;
  synopsis: string;
  /** Description under the usage line. */
  description: string;
  children: Entry[];
}

/** A command, loaded only when it runs (loading all of them would slow every invocation). */
export interface LazyCommand {
  name: string;
  synopsis: string;
  load(): Promise<{ default: CommandDef }>;
}

/** A command that parses its own arguments (`server`). */
export interface RawCommand {
  name: string;
  synopsis: string;
  raw(argv: string[], io: CliIo): Promise<number>;
}

export type Entry = LazyCommand | Group | RawCommand;

const isGroup = (e: Entry): e is Group => 'children' in e;
const isRaw = (e: Entry): e is RawCommand => 'raw' in e;
const lastWord = (name: string) => name.split(' ').pop()!;

export function groupHelp(group: Group): string {
  const rows = group.children
    .map((c) => [lastWord(c.name), c.synopsis])
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
    .map(([n, s]) => [n!, s!]);
  return `Usage: coffer ${group.name} <subcommand> [options] [args]

${group.description.replace(/\s+$/, '')}

Subcommands:
${columns(rows)
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}

Run "coffer ${group.name} <subcommand> -help" for a subcommand's options.
`;
}

export async function dispatch(group: Group, argv: string[], io: CliIo): Promise<number> {
  const [word, ...rest] = argv;
  const child = word === undefined ? undefined : group.children.find((c) => lastWord(c.name) === word);
  if (!child) {
    if (word === undefined || wantsHelp([word])) {
      (word === undefined ? io.stderr : io.stdout).write(groupHelp(group));
      return word === undefined ? 2 : 0;
    }
    io.stderr.write(`Unknown command "${group.name} ${word}".\n\n${groupHelp(group)}`);
    return 2;
  }
  if (isGroup(child)) return dispatch(child, rest, io);
  if (isRaw(child)) {
    try {
      return await child.raw(rest, io);
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }
  return runCommand((await child.load()).default, rest, io);
}
