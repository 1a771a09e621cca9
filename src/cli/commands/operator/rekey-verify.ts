/**
 * `coffer operator rekey -verify`: the second half of a rekey started with `-init -verify`.
 * The new shares printed by the last current share are not in force yet; a threshold of them
 * submitted here installs them. `-status -verify` shows the progress, `-cancel -verify`
 * starts the verification over (the rekey itself stays).
 */
import type { Flags } from '../../command.js';
import type { Context } from '../../context.js';
import { CommandFailed, failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputData, wrapAtLength } from '../../output/format.js';
import { columns } from '../../output/table.js';
import { keyInput } from './key-input.js';

interface VerifyStatus {
  nonce: string;
  started: boolean;
  t: number;
  n: number;
  progress: number;
  [key: string]: unknown;
}

async function readVerifyStatus(ctx: Context): Promise<VerifyStatus> {
  try {
    return ((await ctx.api().call<VerifyStatus>('GET', 'sys/rekey/verify')) ?? {}) as VerifyStatus;
  } catch (err) {
    throw failure('Error reading rekey verification status', err);
  }
}

function printVerifyStatus(ctx: Context, s: VerifyStatus): number {
  if (ctx.format !== 'table') return outputData(ctx, s, { ordered: true });
  const rows = [
    ['Key', 'Value'],
    ['---', '-----'],
    ['Verification Nonce', s.nonce],
    ['Started', String(s.started === true)],
    ['New Shares', String(s.n)],
    ['New Threshold', String(s.t)],
    ['Verification Progress', `${s.progress}/${s.t}`],
  ];
  ctx.out(columns(rows));
  return 0;
}

export async function runVerify(ctx: Context, args: string[], flags: Flags): Promise<number> {
  if (flags.bool('cancel')) {
    try {
      await ctx.api().call('DELETE', 'sys/rekey/verify');
    } catch (err) {
      throw failure('Error restarting rekey verification', err);
    }
    ctx.out('Success! Rekey verification restarted: submit a threshold of the new shares again');
    return 0;
  }
  if (flags.bool('status')) return printVerifyStatus(ctx, await readVerifyStatus(ctx));

  const before = await readVerifyStatus(ctx);
  if (!before.started) {
    throw new CommandFailed(wrapAtLength('No rekey verification is in progress: it starts once a rekey begun with "coffer operator rekey -init -verify" has its new shares.'));
  }
  const { key, asked } = await keyInput(ctx, args[0], 'New Unseal Key (will be hidden): ', `Rekey verification nonce: ${before.nonce}`);
  const nonce = flags.str('nonce') ?? (asked ? before.nonce : undefined);
  if (!nonce) throw new UsageError('Missing nonce value: specify the verification nonce via the -nonce flag');
  if (key === '') throw new CommandFailed('Error posting unseal key: no key was given');
  let answer: { complete?: boolean; nonce?: string } | null;
  try {
    answer = await ctx.api().call('PUT', 'sys/rekey/verify', { key, nonce });
  } catch (err) {
    throw failure('Error posting unseal key', err);
  }
  if (answer?.complete !== true) return printVerifyStatus(ctx, await readVerifyStatus(ctx));
  if (ctx.format !== 'table') return outputData(ctx, answer, { ordered: true });
  ctx.out(wrapAtLength(`Success! Rekey verification complete (nonce ${answer.nonce}): the new shares are now the unseal keys, and the old ones no longer are.`));
  return 0;
}

/** What the last current share prints after the new keys when they still wait for verification. */
export function verificationNotice(ctx: Context, n: number, t: number, verificationNonce: string): void {
  ctx.out('');
  ctx.out(`Verification nonce: ${verificationNonce}`);
  ctx.out('');
  ctx.out(
    wrapAtLength(
      `Coffer made a new unseal key, split into ${n} key shares with a key threshold of ${t}. They are NOT in force yet: submit ${t} of them with "coffer operator rekey -verify". Until then keep the current shares: they still unseal the server, and a cancel or a seal before verification discards the new ones.`,
    ),
  );
}
