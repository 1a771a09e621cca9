/** `config`: engine-wide settings every secret falls back to. */
import type { Response } from '../../../../logical/request.js';
import { input, parseInput } from '../../input.js';
import { goDuration } from '../format.js';
import type { V2Context, V2Path } from '../path.js';
import { settingFields } from '../settings.js';
import { readConfig, writeConfig } from '../storage.js';

const configInput = input({
  max_versions: settingFields.max_versions.optional(),
  cas_required: settingFields.cas_required.optional(),
  delete_version_after: settingFields.delete_version_after.optional(),
});

async function read(ctx: V2Context): Promise<Response> {
  const config = await readConfig(ctx.storage);
  return {
    data: {
      cas_required: config.casRequired,
      delete_version_after: goDuration(config.deleteVersionAfter),
      max_versions: config.maxVersions,
    },
  };
}

async function write(ctx: V2Context): Promise<null> {
  const change = parseInput(configInput, ctx.raw);
  const config = await readConfig(ctx.storage);
  if (change.max_versions !== undefined) config.maxVersions = change.max_versions;
  if (change.cas_required !== undefined) config.casRequired = change.cas_required;
  if (change.delete_version_after !== undefined) config.deleteVersionAfter = change.delete_version_after;
  await writeConfig(ctx.storage, config);
  ctx.events?.send('kv-v2/config-write', { modified: 'true', operation: 'config-write', path: 'config', data_path: 'config' });
  return null;
}

export const configPath: V2Path = {
  pattern: 'config',
  fields: settingFields,
  operations: { read, update: write },
  help: {
    synopsis: 'Read or change the engine-wide kv settings.',
    description:
      'max_versions (0 = keep 10), cas_required (every write needs options.cas) and delete_version_after ' +
      '(new versions count as deleted after this long; "0s" = never). A secret may set its own in metadata/.',
  },
};
