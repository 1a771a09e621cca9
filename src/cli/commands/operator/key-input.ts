/** Key shares and similar secrets given to operator commands: an argument, "-" for stdin, or asked for. */
import type { Context } from '../../context.js';
import { CommandFailed } from '../../errors.js';
import { readAllStdin, readSecret } from '../../prompt.js';

export interface KeyInput {
  key: string;
  /** True when the key was asked for (prompt, or a line of piped stdin) rather than given. */
  asked: boolean;
}

export async function keyInput(ctx: Context, arg: string | undefined, label: string, before?: string): Promise<KeyInput> {
  const given = arg?.trim() ?? '';
  if (given === '-') return { key: (await readAllStdin(ctx.io)).trim(), asked: false };
  if (given !== '') return { key: given, asked: false };
  if (ctx.nonInteractive) throw new CommandFailed('Refusing to read from stdin with -non-interactive; give the key as an argument');
  if (before && ctx.io.stdin.isTTY) ctx.io.stderr.write(`${before}\n`);
  return { key: await readSecret(ctx.io, label), asked: true };
}
