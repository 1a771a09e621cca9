/** `coffer policy fmt FILE`: format an HCL policy file in place, without a server. */
import { readFileSync, writeFileSync } from 'node:fs';
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed } from '../../errors.js';
import { formatPolicy, PolicyFormatError } from '../../policy-fmt.js';

export default defineCommand({
  name: 'policy fmt',
  http: false,
  help: `Usage: coffer policy fmt [options] PATH

  Formats the HCL policy file at PATH in place: two-space indentation, aligned
  "=" signs, lists as ["a", "b"], tidy blank lines. Comments are kept. A file
  with a syntax error is left unchanged and the error names its line. No
  server is contacted.

      $ coffer policy fmt my-policy.hcl
`,
  async run(ctx, args) {
    expectArgs(args, 1);
    const path = args[0]!;
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CommandFailed(`Error reading source file: ${err instanceof Error ? err.message : String(err)}`);
    }
    let formatted: string;
    try {
      formatted = formatPolicy(source);
    } catch (err) {
      if (err instanceof PolicyFormatError) throw new CommandFailed(`Error parsing policy ${path}: ${err.message}`);
      throw err;
    }
    try {
      if (formatted !== source) writeFileSync(path, formatted);
    } catch (err) {
      throw new CommandFailed(`Error writing result: ${err instanceof Error ? err.message : String(err)}`);
    }
    ctx.out(`Success! Formatted policy: ${path}`);
    return 0;
  },
});
