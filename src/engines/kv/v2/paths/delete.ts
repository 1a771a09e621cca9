/** `delete/<path>`: soft-delete chosen versions; their data stays until destroyed. */
import { kvV2Event } from '../../events.js';
import { lockSecret, type V2Context, type V2Path } from '../path.js';
import { readMeta, writeMeta } from '../storage.js';
import { softDelete } from '../versions.js';
import { parseVersionsRequest, versionsFields } from './versions-op.js';

async function deleteVersions(ctx: V2Context): Promise<null> {
  const { path, versions } = parseVersionsRequest(ctx);
  await lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    if (!meta) return;
    const modified = softDelete(meta, versions, ctx.clock());
    if (modified) await writeMeta(ctx.storage, meta);
    kvV2Event(ctx, 'delete', `delete/${path}`, path, modified, { deleted_versions: versions.join(',') });
  });
  return null;
}

export const deletePath: V2Path = {
  pattern: 'delete/:path*',
  fields: versionsFields,
  operations: { update: deleteVersions },
  help: {
    synopsis: 'Mark versions of a secret deleted.',
    description: 'Reads of a deleted version answer 404 with its metadata. Undo with undelete/; unknown versions are skipped.',
  },
};
