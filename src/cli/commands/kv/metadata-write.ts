/** `kv metadata put` and `kv metadata patch`: a secret's settings and custom metadata (KV version 2). */
import { defineCommand, expectArgs, type CommandDef, type Flags } from '../../command.js';
import type { FlagSpec } from '../../flags.js';
import { parseKvFlag } from '../../kv-args.js';
import { kvV2Path, MOUNT_FLAG } from './kv-paths.js';
import { writeV2 } from './v2-write.js';

const SETTINGS: FlagSpec = {
  ...MOUNT_FLAG,
  'max-versions': { type: 'int', default: -1, usage: 'How many versions to keep; older ones are removed. 0 means the mount setting.' },
  'cas-required': { type: 'bool', usage: 'Require check-and-set (-cas) on every write of this key.' },
  'delete-version-after': {
    type: 'duration',
    usage: 'Soft-delete each version this long after it is written, e.g. 768h. 0s turns it off.',
  },
  'custom-metadata': { type: 'string', repeatable: true, usage: 'Custom metadata as key=value. Repeatable.' },
};

function settings(flags: Flags): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const max = flags.int('max-versions') ?? -1;
  if (max >= 0) data.max_versions = max;
  const cas = flags.optBool('cas-required');
  if (cas !== undefined) data.cas_required = cas;
  const after = flags.str('delete-version-after');
  if (after !== undefined) data.delete_version_after = after;
  return data;
}

export function metadataWriteCommand(mode: 'put' | 'patch'): CommandDef {
  return defineCommand({
    name: `kv metadata ${mode}`,
    output: 'format',
    flags:
      mode === 'put'
        ? SETTINGS
        : { ...SETTINGS, 'remove-custom-metadata': { type: 'string', repeatable: true, usage: 'A custom metadata key to remove. Repeatable.' } },
    help:
      mode === 'put'
        ? `Usage: coffer kv metadata put [options] KEY

  Sets the settings and custom metadata of the secret at KEY (KV version 2).
  Custom metadata given here replaces all of the key's custom metadata.

      $ coffer kv metadata put -max-versions=5 -custom-metadata=owner=alice secret/creds
`
        : `Usage: coffer kv metadata patch [options] KEY

  Changes only the given settings and custom metadata keys of the secret at KEY
  (KV version 2), keeping the rest.

      $ coffer kv metadata patch -custom-metadata=team=payments secret/creds
      $ coffer kv metadata patch -remove-custom-metadata=owner secret/creds
`,
    async run(ctx, args, flags) {
      expectArgs(args, 1);
      const data = settings(flags);
      const custom: Record<string, unknown> = { ...parseKvFlag('custom-metadata', flags.list('custom-metadata')) };
      if (mode === 'put') {
        if (Object.keys(custom).length) data.custom_metadata = custom;
      } else {
        for (const key of flags.list('remove-custom-metadata')) custom[key] = null;
        data.custom_metadata = custom;
      }
      const fullPath = await kvV2Path(ctx, args[0]!, flags.str('mount'), 'metadata', 'Metadata');
      return writeV2(ctx, fullPath, (api) => (mode === 'put' ? api.write(fullPath, data) : api.patch(fullPath, data)));
    },
  });
}
