/** `coffer operator init`: initialize a new server and print its unseal keys and root token. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { UsageError } from '../../flags.js';
import { outputData, wrapAtLength } from '../../output/format.js';

interface InitAnswer {
  keys: string[];
  keys_base64?: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
  root_token: string;
}

export default defineCommand({
  name: 'operator init',
  output: 'format',
  flags: {
    'key-shares': { type: 'int', default: 5, aliases: ['n'], usage: 'Number of unseal key shares to split the unseal key into.' },
    'key-threshold': { type: 'int', default: 3, aliases: ['t'], usage: 'Number of key shares needed to unseal. At most -key-shares.' },
    'recovery-shares': { type: 'int', default: 5, usage: 'With an auto-unseal seal: number of recovery key shares.' },
    'recovery-threshold': { type: 'int', default: 3, usage: 'With an auto-unseal seal: number of recovery key shares needed to authorize rekey, generate-root or an unseal.' },
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

  A server with an auto-unseal seal (seal "transit") unseals itself; it hands
  out recovery key shares instead, which authorize rekey and generate-root:

      $ coffer operator init -recovery-shares=5 -recovery-threshold=3
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
    let auto: boolean;
    try {
      auto = (await ctx.api().call<{ recovery_seal?: boolean }>('GET', 'sys/seal-status'))?.recovery_seal === true;
    } catch (err) {
      throw failure('Error initializing', err);
    }
    const shares = flags.int(auto ? 'recovery-shares' : 'key-shares')!;
    const threshold = flags.int(auto ? 'recovery-threshold' : 'key-threshold')!;
    const [sharesFlag, thresholdFlag] = auto ? ['-recovery-shares', '-recovery-threshold'] : ['-key-shares', '-key-threshold'];
    if (shares < 1 || threshold < 1) throw new UsageError(`${sharesFlag} and ${thresholdFlag} must be at least 1`);
    if (threshold > shares) throw new UsageError(`${thresholdFlag} cannot be larger than ${sharesFlag}`);
    let answer: InitAnswer | null;
    try {
      const body = auto ? { recovery_shares: shares, recovery_threshold: threshold } : { secret_shares: shares, secret_threshold: threshold };
      answer = await ctx.api().call<InitAnswer>('PUT', 'sys/init', body);
    } catch (err) {
      throw failure('Error initializing', err);
    }
    if (!answer) throw failure('Error initializing', new Error('empty answer from the server'));
    const b64 = answer.keys_base64 && answer.keys_base64.length === answer.keys.length ? answer.keys_base64 : answer.keys;
    const recovery = answer.recovery_keys_base64 ?? [];
    if (ctx.format !== 'table') {
      return outputData(
        ctx,
        {
          unseal_keys_b64: answer.keys_base64 ?? [],
          unseal_keys_hex: answer.keys,
          unseal_shares: auto ? 1 : shares,
          unseal_threshold: auto ? 1 : threshold,
          recovery_keys_b64: recovery,
          recovery_keys_hex: answer.recovery_keys ?? [],
          recovery_keys_shares: auto ? shares : 0,
          recovery_keys_threshold: auto ? threshold : 0,
          root_token: answer.root_token,
        },
        { ordered: true },
      );
    }
    if (auto) {
      recovery.forEach((key, i) => ctx.out(`Recovery Key ${i + 1}: ${key}`));
      ctx.out('');
      ctx.out(`Initial Root Token: ${answer.root_token}`);
      ctx.out('');
      ctx.out(
        wrapAtLength(
          `Success! Coffer is initialized and unsealed by its auto-unseal seal. ${shares} recovery key shares were made, with a threshold of ${threshold}: they authorize rekey and generate-root, and cannot decrypt anything by themselves. Please securely distribute them.`,
        ),
      );
      return 0;
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
