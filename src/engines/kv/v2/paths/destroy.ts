/** `destroy/<path>`: remove the data of chosen versions for good; metadata keeps `destroyed: true`. */
import { kvV2Event } from '../../events.js';
import { lockSecret, type V2Context, type V2Path } from '../path.js';
import { deleteVersions, readMeta, writeMeta } from '../storage.js';
import { destroy } from '../versions.js';
import { parseVersionsRequest, versionsFields } from './versions-op.js';

async function destroyVersions(ctx: V2Context): Promise<null> {
  const { path, versions } = parseVersionsRequest(ctx);
  await lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    if (!meta) return;
    const destroyed = destroy(meta, versions);
    if (destroyed.length > 0) {
      // Metadata first: a version marked destroyed is never read, whether or not its data is gone yet.
      await writeMeta(ctx.storage, meta);
      await deleteVersions(ctx.storage, path, destroyed);
    }
    kvV2Event(ctx, 'destroy', `destroy/${path}`, path, destroyed.length > 0, { destroyed_versions: destroyed.join(',') });
  });
  return null;
}

export const destroyPath: V2Path = {
  pattern: 'destroy/:path*',
  fields: versionsFields,
  operations: { update: destroyVersions },
  help: {
    synopsis: 'Permanently remove the data of versions of a secret.',
    description: 'The data of each listed version is deleted; its metadata stays, marked destroyed. This cannot be undone.',
  },
};
