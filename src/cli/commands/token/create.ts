/** `coffer token create`: a new token, a child of the calling one unless -orphan. */
import { defineCommand, expectArgs } from '../../command.js';
import { failure } from '../../errors.js';
import { parseKvFlag } from '../../kv-args.js';
import { outputSecretOrField } from '../../output/format.js';

export default defineCommand({
  name: 'token create',
  output: 'field',
  flags: {
    id: { type: 'string', usage: 'The token value to use instead of a random one. Root only.' },
    'display-name': { type: 'string', usage: 'A name for the token, shown in audit logs and lookups.' },
    ttl: { type: 'duration', usage: 'Initial TTL, e.g. 1h. The default is the mount\'s default TTL.' },
    'explicit-max-ttl': { type: 'duration', usage: 'A hard limit on the token\'s life: renewals cannot pass it.' },
    period: { type: 'duration', usage: 'Make the token periodic: each renewal resets its TTL to this. Needs root or sudo.' },
    renewable: { type: 'bool', default: true, usage: 'Whether the token can be renewed. The default is true; use -renewable=false.' },
    orphan: { type: 'bool', default: false, usage: 'Create the token with no parent, so revoking the caller leaves it alone.' },
    'no-default-policy': { type: 'bool', default: false, usage: 'Do not attach the "default" policy.' },
    'use-limit': { type: 'int', default: 0, usage: 'How many requests the token may make; 0 is no limit.' },
    role: { type: 'string', usage: 'Create the token under this token role (auth/token/create/ROLE).' },
    type: { type: 'string', usage: 'Token type: "service" (the default).' },
    policy: { type: 'string', repeatable: true, usage: 'A policy to attach. Repeatable, or comma-separated.' },
    metadata: { type: 'string', repeatable: true, usage: 'Metadata as key=value, shown in audit logs. Repeatable.' },
    'entity-alias': { type: 'string', usage: 'Entity alias to associate the token with (role tokens).' },
  },
  help: `Usage: coffer token create [options]

  Creates a new token. It is a child of the calling token (revoked with it)
  unless -orphan, and gets at most the caller's policies unless the caller is
  root.

      $ coffer token create -policy=app-read -ttl=1h
      $ coffer token create -orphan -period=24h -policy=agent
      $ coffer token create -field=token -policy=ci
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0);
    const body: Record<string, unknown> = {
      renewable: flags.bool('renewable'),
      no_parent: flags.bool('orphan') || undefined,
      no_default_policy: flags.bool('no-default-policy') || undefined,
    };
    const policies = flags.commaList('policy');
    if (policies.length) body.policies = policies;
    const meta = parseKvFlag('metadata', flags.list('metadata'));
    if (meta) body.meta = meta;
    const strings: [string, string][] = [
      ['id', 'id'],
      ['display-name', 'display_name'],
      ['ttl', 'ttl'],
      ['explicit-max-ttl', 'explicit_max_ttl'],
      ['period', 'period'],
      ['type', 'type'],
      ['entity-alias', 'entity_alias'],
    ];
    for (const [flag, field] of strings) if (flags.str(flag) !== undefined) body[field] = flags.str(flag);
    const uses = flags.int('use-limit') ?? 0;
    if (uses > 0) body.num_uses = uses;
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];

    const role = flags.str('role');
    const path = role ? `auth/token/create/${role}` : flags.bool('orphan') ? 'auth/token/create-orphan' : 'auth/token/create';
    let secret;
    try {
      secret = await ctx.api().write(path, body);
    } catch (err) {
      throw failure('Error creating token', err);
    }
    if (!secret) throw failure('Error creating token', new Error('empty answer from the server'));
    return outputSecretOrField(ctx, secret);
  },
});
