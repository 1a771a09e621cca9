/** `coffer audit list`: the enabled audit devices. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { outputData } from '../../output/format.js';
import { goValue, table } from '../../output/table.js';

interface Device {
  type?: string;
  description?: string;
  local?: boolean;
  options?: Record<string, unknown>;
}

export default defineCommand({
  name: 'audit list',
  output: 'format',
  flags: { detailed: { type: 'bool', default: false, usage: 'Show each device\'s replication and options too.' } },
  help: `Usage: coffer audit list [options]

  Lists the enabled audit devices.

      $ coffer audit list -detailed
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0);
    let body;
    try {
      body = await ctx.api().read('sys/audit');
    } catch (err) {
      throw failure('Error listing audits', err);
    }
    const devices = (body?.data ?? {}) as Record<string, Device>;
    if (ctx.format !== 'table') return outputData(ctx, devices);
    const paths = Object.keys(devices).sort();
    if (paths.length === 0) {
      ctx.out('No audit devices are enabled.');
      return 2;
    }
    const detailed = flags.bool('detailed');
    const header = detailed ? ['Path', 'Type', 'Description', 'Replication', 'Options'] : ['Path', 'Type', 'Description'];
    const rows = paths.map((p) => {
      const d = devices[p]!;
      const row = [p, d.type ?? '', d.description ?? ''];
      if (detailed) row.push(d.local ? 'local' : 'replicated', goValue(d.options ?? {}));
      return row;
    });
    ctx.out(table(header, rows));
    return 0;
  },
});
