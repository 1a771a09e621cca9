/** `undelete/<path>`: bring soft-deleted versions back. */
import { kvV2Event } from '../../events.js';
import { lockSecret, type V2Context, type V2Path } from '../path.js';
import { readMeta, writeMeta } from '../storage.js';
import { undelete } from '../versions.js';
import { parseVersionsRequest, versionsFields } from './versions-op.js';

async function undeleteVersions(ctx: V2Context): Promise<null> {
  const { path, versions } = parseVersionsRequest(ctx);
  await lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    if (!meta) return;
    const modified = undelete(meta, versions);
    if (modified) await writeMeta(ctx.storage, meta);
    kvV2Event(ctx, 'undelete', `undelete/${path}`, path, modified, { undeleted_versions: versions.join(',') });
  });
  return null;
}

export const undeletePath: V2Path = {
  pattern: 'undelete/:path*',
  fields: versionsFields,
  operations: { update: undeleteVersions },
  help: {
    synopsis: 'Restore deleted versions of a secret.',
    description: 'Clears the deletion of each listed version that is not destroyed; unknown versions are skipped.',
  },
};
