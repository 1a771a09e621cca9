/** `coffer policy write NAME FILE|-`: upload an ACL policy. */
import { readFileSync } from 'node:fs';
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed, failure } from '../../errors.js';
import { readAllStdin } from '../../prompt.js';

export default defineCommand({
  name: 'policy write',
  help: `Usage: coffer policy write [options] NAME PATH

  Uploads the ACL policy in the file at PATH (HCL or JSON) under NAME,
  replacing any policy of that name. PATH "-" reads the policy from stdin.

      $ coffer policy write app-read app-read.hcl
      $ cat app-read.hcl | coffer policy write app-read -
`,
  async run(ctx, args) {
    expectArgs(args, 2);
    const name = args[0]!.trim().toLowerCase();
    const source = args[1]!;
    let rules: string;
    if (source === '-') rules = await readAllStdin(ctx.io);
    else {
      try {
        rules = readFileSync(source, 'utf8');
      } catch (err) {
        throw new CommandFailed(`Error opening policy file: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    try {
      await ctx.api().write(`sys/policies/acl/${name}`, { policy: rules });
    } catch (err) {
      throw failure('Error uploading policy', err);
    }
    ctx.out(`Success! Uploaded policy: ${name}`);
    return 0;
  },
});
