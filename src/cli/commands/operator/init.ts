/** `coffer operator init`: initialize a new server and print its unseal keys and root token. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputData, wrapAtLength } from '../../output/format.js';

interface InitAnswer {
  keys: string[];
  keys_base64?: string[];
  root_token: string;
}

export default defineCommand({
  name: 'operator init',
  output: 'format',
  flags: {
    'key-shares': { type: 'int', default: 5, aliases: ['n'], usage: 'Number of unseal key shares to split the unseal key into.' },
    'key-threshold': { type: 'int', default: 3, aliases: ['t'], usage: 'Number of key shares needed to unseal. At most -key-shares.' },
    status: {
      type: 'bool',
      default: false,
      usage: 'Only report whether the server is initialized: exit 0 if it is, 2 if not, 1 on error.',
    },
  },
  help: `Usage: coffer operator init [options]

  Initializes a new server: creates its root key, splits the unseal key into
  shares with Shamir's secret sharing, and issues the initial root token. This
  happens once per server (cluster), while it is sealed and uninitialized.

  The unseal key shares and the root token are printed once and not stored
  anywhere: hand each share to a different trusted operator.

      $ coffer operator init -key-shares=5 -key-threshold=3
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0);
    if (flags.bool('status')) {
      let initialized: boolean;
      try {
        initialized = (await ctx.api().call<{ initialized: boolean }>('GET', 'sys/init'))?.initialized === true;
      } catch (err) {
        throw failure('Error checking init status', err);
      }
      if (ctx.format === 'table') ctx.out(initialized ? 'Coffer is initialized' : 'Coffer is not initialized');
      else outputData(ctx, { initialized });
      return initialized ? 0 : 2;
    }
    const shares = flags.int('key-shares')!;
    const threshold = flags.int('key-threshold')!;
    if (shares < 1 || threshold < 1) throw new UsageError('-key-shares and -key-threshold must be at least 1');
    if (threshold > shares) throw new UsageError('-key-threshold cannot be larger than -key-shares');
    let answer: InitAnswer | null;
    try {
      answer = await ctx.api().call<InitAnswer>('PUT', 'sys/init', { secret_shares: shares, secret_threshold: threshold });
    } catch (err) {
      throw failure('Error initializing', err);
    }
    if (!answer) throw failure('Error initializing', new Error('empty answer from the server'));
    const b64 = answer.keys_base64 && answer.keys_base64.length === answer.keys.length ? answer.keys_base64 : answer.keys;
    if (ctx.format !== 'table') {
      return outputData(
        ctx,
        {
          unseal_keys_b64: answer.keys_base64 ?? [],
          unseal_keys_hex: answer.keys,
          unseal_shares: shares,
          unseal_threshold: threshold,
          recovery_keys_b64: [],
          recovery_keys_hex: [],
          recovery_keys_shares: 0,
          recovery_keys_threshold: 0,
          root_token: answer.root_token,
        },
        { ordered: true },
      );
    }
    b64.forEach((key, i) => ctx.out(`Unseal Key ${i + 1}: ${key}`));
    ctx.out('');
    ctx.out(`Initial Root Token: ${answer.root_token}`);
    ctx.out('');
    ctx.out(
      wrapAtLength(
        `Coffer initialized with ${shares} key shares and a key threshold of ${threshold}. Please securely distribute the key shares printed above. When the server is re-sealed, restarted, or stopped, you must supply at least ${threshold} of these keys to unseal it before it can start servicing requests.`,
      ),
    );
    ctx.out('');
    ctx.out(
      wrapAtLength(
        `Coffer does not store the generated root key. Without at least ${threshold} keys to reconstruct the root key, Coffer will remain permanently sealed!`,
      ),
    );
    ctx.out('');
    ctx.out(
      wrapAtLength(
        'It is possible to generate new unseal keys, provided you have a quorum of existing unseal keys shares. See "coffer operator rekey" for more information.',
      ),
    );
    return 0;
  },
});
