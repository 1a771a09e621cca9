/** `coffer audit enable TYPE [K=V...]`: enable an audit device. */
import { defineCommand, ensureTrailingSlash, expectArgs, sanitizePath } from '../../command.js';
import { failure } from '../../errors.js';
import { parseKvArgs } from '../../kv-args.js';

export default defineCommand({
  name: 'audit enable',
  flags: {
    path: { type: 'string', usage: 'Where to enable the device, under sys/audit/. The default is the device type.' },
    description: { type: 'string', default: '', usage: 'A human-friendly description of the device.' },
    local: { type: 'bool', default: false, usage: 'Keep the device on this cluster only (not replicated).' },
  },
  help: `Usage: coffer audit enable [options] TYPE [CONFIG K=V...]

  Enables an audit device of TYPE (file, socket or syslog). Each K=V pair is
  one of the device's options. Once a device is enabled, every request is
  recorded; when no enabled device can record one, the request is refused.

      $ coffer audit enable file file_path=/var/log/coffer/audit.log
      $ coffer audit enable -path=siem socket address=siem.example.com:9090 socket_type=tcp
      $ coffer audit enable syslog tag=coffer facility=AUTH
`,
  async run(ctx, args, flags) {
    expectArgs(args, 1, Infinity);
    const type = sanitizePath(args[0]!);
    const path = ensureTrailingSlash(sanitizePath(flags.str('path') ?? type));
    const options = await parseKvArgs(ctx.io, args.slice(1));
    try {
      await ctx.api().write(`sys/audit/${sanitizePath(path)}`, {
        type,
        description: flags.str('description') ?? '',
        local: flags.bool('local'),
        options,
      });
    } catch (err) {
      throw failure('Error enabling audit device', err);
    }
    ctx.out(`Success! Enabled the ${type} audit device at: ${path}`);
    return 0;
  },
});
