/** `coffer policy read NAME`: print an ACL policy's text. */
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { outputData } from '../../output/format.js';

export default defineCommand({
  name: 'policy read',
  output: 'format',
  help: `Usage: coffer policy read [options] NAME

  Prints the text of the ACL policy NAME.

      $ coffer policy read default
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const name = args[0]!.trim().toLowerCase();
    let secret;
    try {
      secret = await ctx.api().read(`sys/policies/acl/${name}`);
    } catch (err) {
      throw failure(`Error reading policy named ${name}`, err);
    }
    const rules = (secret?.data as { policy?: unknown } | null | undefined)?.policy;
    if (typeof rules !== 'string' || rules === '') throw new CommandFailed(`No policy named: ${name}`, 2);
    if (ctx.format === 'table') {
      ctx.out(rules.trim());
      return 0;
    }
    return outputData(ctx, { policy: rules });
  },
});
