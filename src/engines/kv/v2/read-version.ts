/** One version of a secret as reads see it: shared by `data/` and `subkeys/`. */
import { versionView } from './format.js';
import type { V2Context } from './path.js';
import { readMetaShared, readVersionShared } from './storage.js';
import { stateOf, versionMeta } from './versions.js';

export interface VersionRead {
  metadata: ReturnType<typeof versionView>;
  /** null when the version is deleted or destroyed: Vault answers 404 with the metadata. */
  data: Record<string, unknown> | null;
}

/** `version` 0 means the current one; null when the secret or that version does not exist. */
export async function readSecretVersion(ctx: V2Context, path: string, version: number): Promise<VersionRead | null> {
  const meta = await readMetaShared(ctx.storage, path);
  if (!meta) return null;
  const n = version || meta.currentVersion;
  const vm = versionMeta(meta, n);
  if (!vm) return null;
  const metadata = versionView(meta, n, vm);
  if (stateOf(vm, ctx.clock()) !== 'live') return { metadata, data: null };
  const entry = await readVersionShared(ctx.storage, path, n);
  if (!entry) throw new Error(`kv: version ${n} of a secret has metadata but no data`);
  return { metadata, data: entry.data };
}
