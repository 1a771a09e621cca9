/**
 * `coffer operator rekey`: new unseal key shares for the same root key. Start with -init,
 * then each holder of a current share submits it; the last submission prints the new shares.
 */
import type { Context } from '../../context.js';
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputData, wrapAtLength } from '../../output/format.js';
import { columns } from '../../output/table.js';
import { keyInput } from './key-input.js';
import { runVerify, verificationNotice } from './rekey-verify.js';

interface RekeyStatus {
  nonce: string;
  started: boolean;
  t: number;
  n: number;
  progress: number;
  required: number;
  verification_required?: boolean;
  [key: string]: unknown;
}

interface RekeyDone {
  complete: true;
  nonce: string;
  keys: string[];
  keys_base64?: string[];
  verification_required?: boolean;
  verification_nonce?: string;
  [key: string]: unknown;
}

async function readStatus(ctx: Context): Promise<RekeyStatus> {
  try {
    return ((await ctx.api().call<RekeyStatus>('GET', 'sys/rekey/init')) ?? {}) as RekeyStatus;
  } catch (err) {
    throw failure('Error reading rekey status', err);
  }
}

function printStatus(ctx: Context, s: RekeyStatus): number {
  if (ctx.format !== 'table') return outputData(ctx, s, { ordered: true });
  const rows = [
    ['Key', 'Value'],
    ['---', '-----'],
    ['Nonce', s.nonce],
    ['Started', String(s.started === true)],
  ];
  if (s.started) {
    rows.push(['Rekey Progress', `${s.progress}/${s.required}`]);
    if (s.n > 0) rows.push(['New Shares', String(s.n)]);
    if (s.t > 0) rows.push(['New Threshold', String(s.t)]);
    rows.push(['Verification Required', String(s.verification_required === true)]);
  }
  ctx.out(columns(rows));
  return 0;
}

function printNewKeys(ctx: Context, done: RekeyDone, before: RekeyStatus): number {
  if (ctx.format !== 'table') return outputData(ctx, done, { ordered: true });
  const shown = done.keys_base64 && done.keys_base64.length === done.keys.length ? done.keys_base64 : done.keys;
  ctx.out('');
  shown.forEach((k, i) => ctx.out(`Key ${i + 1}: ${k}`));
  if (done.nonce) {
    ctx.out('');
    ctx.out(`Operation nonce: ${done.nonce}`);
  }
  if (done.verification_required) {
    verificationNotice(ctx, before.n, before.t, done.verification_nonce ?? '');
    return 0;
  }
  ctx.out('');
  ctx.out(
    wrapAtLength(
      `Coffer unseal keys rekeyed with ${before.n} key shares and a key threshold of ${before.t}. Please securely distribute the key shares printed above. When the server is re-sealed, restarted, or stopped, you must supply at least ${before.t} of these keys to unseal it before it can start servicing requests.`,
    ),
  );
  return 0;
}

export default defineCommand({
  name: 'operator rekey',
  output: 'format',
  flags: {
    init: { type: 'bool', default: false, usage: 'Start a rekey. Takes -key-shares and -key-threshold for the new shares.' },
    cancel: { type: 'bool', default: false, usage: 'Cancel the rekey in progress; the shares submitted so far are dropped.' },
    status: { type: 'bool', default: false, usage: 'Print the progress of the rekey in progress.' },
    'key-shares': { type: 'int', default: 5, aliases: ['n'], usage: 'Number of new key shares (with -init).' },
    'key-threshold': { type: 'int', default: 3, aliases: ['t'], usage: 'Number of new shares needed to unseal (with -init).' },
    nonce: {
      type: 'string',
      usage: 'Nonce of the rekey in progress, printed by -init. Needed when the key is given as an argument or on stdin with "-".',
    },
    verify: {
      type: 'bool',
      default: false,
      usage:
        'With -init: the new shares take effect only once a threshold of them is submitted with -verify. Otherwise -status, -cancel (restart) and a submitted key act on that verification.',
    },
    target: { type: 'string', default: 'barrier', usage: 'What to rekey: only "barrier" (the unseal keys) is supported.' },
  },
  help: `Usage: coffer operator rekey [options] [KEY]

  Generates new unseal key shares for the same root key, with a new number of
  shares and threshold. A threshold of the current shares must be submitted.

  The server takes these calls from a token with sudo on sys/rekey/*; without
  a token only when its listener sets disable_unauthed_rekey_endpoints = false.

  Start a rekey into 7 shares, 4 of them needed to unseal:

      $ coffer operator rekey -init -key-shares=7 -key-threshold=4

  Submit a current key share (asked for without echo on a terminal, or read as
  the first line of stdin otherwise; the nonce is then taken from the status):

      $ coffer operator rekey

  Or give the key and the nonce:

      $ coffer operator rekey -nonce=<nonce> <key>

  With -init -verify the new shares are printed but not yet in force; submit
  a threshold of them to install them (the current shares work until then):

      $ coffer operator rekey -verify
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0, 1);
    if (flags.str('target') !== 'barrier') throw new UsageError(`Unknown target: ${flags.str('target')}: only "barrier" is supported`);
    if (flags.bool('verify') && !flags.bool('init')) return runVerify(ctx, args, flags);
    if (flags.bool('cancel')) {
      try {
        await ctx.api().call('DELETE', 'sys/rekey/init');
      } catch (err) {
        throw failure('Error canceling rekey', err);
      }
      ctx.out('Success! Canceled rekeying (if it was started)');
      return 0;
    }
    if (flags.bool('init')) {
      let status: RekeyStatus | null;
      try {
        status = await ctx.api().call<RekeyStatus>('PUT', 'sys/rekey/init', {
          secret_shares: flags.int('key-shares'),
          secret_threshold: flags.int('key-threshold'),
          ...(flags.bool('verify') ? { require_verification: true } : {}),
        });
      } catch (err) {
        throw failure('Error initializing rekey', err);
      }
      return printStatus(ctx, status ?? (await readStatus(ctx)));
    }
    if (flags.bool('status')) return printStatus(ctx, await readStatus(ctx));

    const before = await readStatus(ctx);
    if (!before.started) {
      throw new CommandFailed(wrapAtLength('No rekey is in progress. Start a rekey process by running "coffer operator rekey -init".'));
    }
    const { key, asked } = await keyInput(ctx, args[0], 'Unseal Key (will be hidden): ', `Rekey operation nonce: ${before.nonce}`);
    const nonce = flags.str('nonce') ?? (asked ? before.nonce : undefined);
    if (!nonce) throw new UsageError('Missing nonce value: specify it via the -nonce flag');
    if (key === '') throw new CommandFailed('Error posting unseal key: no key was given');
    let answer: (RekeyStatus | RekeyDone) | null;
    try {
      answer = await ctx.api().call<RekeyStatus | RekeyDone>('PUT', 'sys/rekey/update', { key, nonce });
    } catch (err) {
      throw failure('Error posting unseal key', err);
    }
    if (answer && (answer as RekeyDone).complete === true) return printNewKeys(ctx, answer as RekeyDone, before);
    return printStatus(ctx, await readStatus(ctx));
  },
});
