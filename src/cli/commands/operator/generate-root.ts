/**
 * `coffer operator generate-root`: a new root token authorized by a threshold of unseal key
 * shares. -init starts it and prints the OTP; each share holder submits a share; the last
 * answer carries the encoded token, which -decode turns back into the token with the OTP.
 * With a token it goes through sys/generate-root-token/* (generate-root-api.ts).
 */
import type { Context } from '../../context.js';
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputData, printRaw, wrapAtLength } from '../../output/format.js';
import { columns } from '../../output/table.js';
import { readAllStdin } from '../../prompt.js';
import { generateRootCall } from './generate-root-api.js';
import { keyInput } from './key-input.js';
import { decodeRootToken, generateOtp } from './otp.js';

interface GenerateRootStatus {
  nonce: string;
  started: boolean;
  progress: number;
  required: number;
  complete: boolean;
  otp?: string;
  otp_length?: number;
  encoded_token?: string;
  encoded_root_token?: string;
  pgp_fingerprint?: string;
  [key: string]: unknown;
}

const DEFAULT_OTP_LENGTH = 28;

async function readStatus(ctx: Context): Promise<GenerateRootStatus> {
  try {
    return ((await generateRootCall<GenerateRootStatus>(ctx, 'GET', 'attempt')) ?? {}) as GenerateRootStatus;
  } catch (err) {
    throw failure('Error getting root generation status', err);
  }
}

function printStatus(ctx: Context, s: GenerateRootStatus): number {
  if (ctx.format !== 'table') return outputData(ctx, s, { ordered: true });
  const rows = [
    ['Nonce', s.nonce],
    ['Started', String(s.started === true)],
    ['Progress', `${s.progress}/${s.required}`],
    ['Complete', String(s.complete === true)],
  ];
  if (s.pgp_fingerprint) rows.push(['PGP Fingerprint', s.pgp_fingerprint]);
  if (s.encoded_token) rows.push(['Encoded Token', s.encoded_token]);
  else if (s.encoded_root_token) rows.push(['Encoded Root Token', s.encoded_root_token]);
  if (s.otp) {
    ctx.err(
      wrapAtLength(
        'A One-Time-Password has been generated for you and is shown in the OTP field. You will need this value to decode the resulting root token, so keep it safe.',
      ),
    );
    rows.push(['OTP', s.otp]);
  }
  if (s.otp_length) rows.push(['OTP Length', String(s.otp_length)]);
  ctx.out(columns(rows));
  return 0;
}

async function decode(ctx: Context, encodedFlag: string, otp: string | undefined): Promise<number> {
  if (!otp) throw new UsageError('Missing otp: use -otp to supply it');
  let encoded = encodedFlag;
  if (encoded === '-') {
    encoded = (await readAllStdin(ctx.io)).trim();
    if (encoded === '') throw new CommandFailed('Missing encoded value. When using -decode="-" the value must be passed on stdin.');
  }
  let token: string;
  try {
    token = decodeRootToken(encoded, otp);
  } catch (err) {
    throw new CommandFailed(`Error decoding root token: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (ctx.format === 'table') return printRaw(ctx, token);
  return outputData(ctx, { token });
}

export default defineCommand({
  name: 'operator generate-root',
  output: 'format',
  flags: {
    init: { type: 'bool', default: false, usage: 'Start a root token generation. The server makes an OTP unless -otp gives one.' },
    cancel: { type: 'bool', default: false, usage: 'Cancel the generation in progress.' },
    status: { type: 'bool', default: false, usage: 'Print the progress of the generation in progress.' },
    nonce: {
      type: 'string',
      usage: 'Nonce of the generation in progress, printed by -init. Needed when the key is given as an argument or on stdin with "-".',
    },
    otp: { type: 'string', usage: 'With -init: your own OTP (see -generate-otp). With -decode: the OTP to decode with.' },
    decode: { type: 'string', usage: 'Decode this encoded token with -otp and print the root token. "-" reads it from stdin.' },
    'generate-otp': { type: 'bool', default: false, usage: 'Print a random OTP of the length the server expects, for -init -otp.' },
  },
  help: `Usage: coffer operator generate-root [options] [KEY]

  Generates a new root token, authorized by a threshold of unseal key shares.
  The token is handed back XORed with a one-time password (OTP), so only the
  holder of the OTP can read it.

  With a token that has sudo on sys/generate-root-token/*, the command uses
  those paths. Without a token it uses sys/generate-root/*, which a server
  serves without a token only when its listener sets
  disable_unauthed_generate_root_endpoints = false (for a lost root token).

  Start a generation; the OTP and the nonce are printed:

      $ coffer operator generate-root -init

  Each share holder then submits a share (asked for without echo on a
  terminal, or read as the first line of stdin otherwise):

      $ coffer operator generate-root

  Decode the token printed with the last share:

      $ coffer operator generate-root -decode=<encoded token> -otp=<otp>
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0, 1);
    if (flags.bool('generate-otp')) {
      const length = (await readStatus(ctx)).otp_length || DEFAULT_OTP_LENGTH;
      const otp = generateOtp(length);
      if (ctx.format === 'table') return printRaw(ctx, otp);
      return outputData(ctx, { otp, otp_length: length });
    }
    const encoded = flags.str('decode');
    if (encoded !== undefined) return decode(ctx, encoded, flags.str('otp'));
    if (flags.bool('cancel')) {
      try {
        await generateRootCall(ctx, 'DELETE', 'attempt');
      } catch (err) {
        throw failure('Error canceling root token generation', err);
      }
      ctx.out('Success! Root token generation canceled (if it was started)');
      return 0;
    }
    if (flags.bool('init')) {
      const otp = flags.str('otp');
      let status: GenerateRootStatus | null;
      try {
        status = await generateRootCall<GenerateRootStatus>(ctx, 'PUT', 'attempt', otp ? { otp } : {});
      } catch (err) {
        throw failure('Error initializing root generation', err);
      }
      return printStatus(ctx, status ?? (await readStatus(ctx)));
    }
    if (flags.bool('status')) return printStatus(ctx, await readStatus(ctx));

    const before = await readStatus(ctx);
    if (!before.started) {
      throw new CommandFailed(
        wrapAtLength('No root generation is in progress. Start a root generation by running "coffer operator generate-root -init".'),
      );
    }
    const { key, asked } = await keyInput(ctx, args[0], 'Unseal Key (will be hidden): ', `Operation nonce: ${before.nonce}`);
    const nonce = flags.str('nonce') ?? (asked ? before.nonce : undefined);
    if (!nonce) throw new UsageError('Missing nonce value: specify it via the -nonce flag');
    if (key === '') throw new CommandFailed('Error posting unseal key: no key was given');
    let status: GenerateRootStatus | null;
    try {
      status = await generateRootCall<GenerateRootStatus>(ctx, 'PUT', 'update', { key, nonce });
    } catch (err) {
      throw failure('Error posting unseal key', err);
    }
    return printStatus(ctx, status ?? (await readStatus(ctx)));
  },
});
