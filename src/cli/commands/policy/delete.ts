/** `coffer policy delete NAME`: remove an ACL policy. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';

export default defineCommand({
  name: 'policy delete',
  help: `Usage: coffer policy delete [options] NAME

  Deletes the ACL policy NAME. Tokens that name it keep the name but get
  nothing from it. The "root" and "default" policies cannot be deleted.

      $ coffer policy delete app-read
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const name = args[0]!.trim().toLowerCase();
    try {
      await ctx.api().delete(`sys/policies/acl/${name}`);
    } catch (err) {
      throw failure(`Error deleting ${name}`, err);
    }
    ctx.out(`Success! Deleted policy: ${name}`);
    return 0;
  },
});
