/** `coffer operator rotate`: add a new barrier encryption key term. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { printKeyStatus, readKeyStatus } from './key-status.js';

export default defineCommand({
  name: 'operator rotate',
  output: 'format',
  help: `Usage: coffer operator rotate [options]

  Adds a new barrier encryption key term. New writes use the new key; data
  written under older terms stays readable. Needs sudo on sys/rotate.

      $ coffer operator rotate
`,
  async run(ctx, args) {
    expectArgs(args, 0);
    try {
      await ctx.api().call('PUT', 'sys/rotate');
    } catch (err) {
      throw failure('Error rotating key', err);
    }
    const status = await readKeyStatus(ctx);
    if (ctx.format === 'table') {
      ctx.out('Success! Rotated key');
      ctx.out('');
    }
    return printKeyStatus(ctx, status);
  },
});
