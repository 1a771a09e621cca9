/** `coffer operator key-status`: the barrier key term in use. */
import type { Context } from '../../context.js';
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { outputData } from '../../output/format.js';
import { columns } from '../../output/table.js';

interface KeyStatus {
  term: number;
  install_time: string;
  encryptions?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** Go's RFC 822 layout in UTC: `02 Jan 06 15:04 UTC`. */
export function rfc822(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

export async function readKeyStatus(ctx: Context): Promise<KeyStatus> {
  try {
    const secret = await ctx.api().read('sys/key-status');
    return (secret?.data ?? {}) as unknown as KeyStatus;
  } catch (err) {
    throw failure('Error reading key status', err);
  }
}

export function printKeyStatus(ctx: Context, s: KeyStatus): number {
  if (ctx.format !== 'table') return outputData(ctx, { term: s.term, install_time: s.install_time, encryptions: s.encryptions ?? 0 }, { ordered: true });
  ctx.out(
    columns([
      ['Key Term', String(s.term)],
      ['Install Time', rfc822(s.install_time)],
      ['Encryption Count', String(s.encryptions ?? 0)],
    ]),
  );
  return 0;
}

export default defineCommand({
  name: 'operator key-status',
  output: 'format',
  help: `Usage: coffer operator key-status [options]

  Prints the term of the barrier encryption key in use, when it was installed,
  and how many encryptions it has done.

      $ coffer operator key-status
`,
  async run(ctx, args) {
    expectArgs(args, 0);
    return printKeyStatus(ctx, await readKeyStatus(ctx));
  },
});
