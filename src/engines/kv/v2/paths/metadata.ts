/**
 * `metadata/<path>`: a secret's settings and version history. Read, write (creating the
 * entry even with no version), merge-patch, delete everything; LIST and SCAN of folders.
 */
import { notFound } from '../../../../errors.js';
import type { Response } from '../../../../logical/request.js';
import { input, parseInput } from '../../input.js';
import { folderPath, readablePath, writablePath } from '../../key-path.js';
import { listLevel, pageFields, parsePage, scanKeys, visibleFilter } from '../../paging.js';
import { metadataView } from '../format.js';
import { setOwn } from '../merge-patch.js';
import { kvV2Event } from '../../events.js';
import { lockSecret, type V2Context, type V2Path } from '../path.js';
import { checkCustomMetadata, customMetadataField, parseCustomMetadata, settingFields } from '../settings.js';
import { META_PREFIX, deleteMeta, deleteVersions, readConfig, readMeta, writeMeta, type KeyMeta } from '../storage.js';
import { newKeyMeta } from '../versions.js';

const fields = { ...settingFields, custom_metadata: customMetadataField, ...pageFields };

const settingsInput = input({
  max_versions: settingFields.max_versions.optional(),
  cas_required: settingFields.cas_required.optional(),
  delete_version_after: settingFields.delete_version_after.optional(),
});

interface Change {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: number;
  custom_metadata?: Record<string, string | null>;
  /** A patch's `"custom_metadata": null`: every custom key goes. */
  clearCustomMetadata?: boolean;
}

/** Everything validated before any storage is touched. */
function parseChange(ctx: V2Context, patch: boolean): Change {
  const change: Change = { ...parseInput(settingsInput, ctx.raw) };
  if (ctx.raw.custom_metadata !== undefined) change.custom_metadata = parseCustomMetadata(ctx.raw.custom_metadata, patch);
  // A merge patch's top-level null removes the member: every custom key goes. (Elsewhere a
  // null is a client's "unset" and was dropped before this handler; the request keeps it.)
  else if (patch && ctx.req.data.custom_metadata === null) change.clearCustomMetadata = true;
  return change;
}

function applyChange(meta: KeyMeta, change: Change, patch: boolean): void {
  if (change.max_versions !== undefined) meta.maxVersions = change.max_versions;
  if (change.cas_required !== undefined) meta.casRequired = change.cas_required;
  if (change.delete_version_after !== undefined) meta.deleteVersionAfter = change.delete_version_after;
  if (change.clearCustomMetadata) meta.customMetadata = null;
  if (change.custom_metadata !== undefined) {
    const next: Record<string, string | null> = patch ? { ...meta.customMetadata } : {};
    for (const [key, value] of Object.entries(change.custom_metadata)) {
      if (value === null) delete next[key];
      else setOwn(next, key, value);
    }
    checkCustomMetadata(next);
    meta.customMetadata = Object.keys(next).length ? (next as Record<string, string>) : null;
  }
}

async function changeMetadata(ctx: V2Context, patch: boolean): Promise<Response | null> {
  const path = writablePath(ctx.fields.path);
  const change = parseChange(ctx, patch);
  if (!patch && Object.keys(change).length === 0) return null;
  return lockSecret(ctx, path, async () => {
    const config = await readConfig(ctx.storage);
    let meta = await readMeta(ctx.storage, path);
    if (!meta) {
      if (patch) throw notFound();
      meta = newKeyMeta(path, ctx.clock());
    }
    applyChange(meta, change, patch);
    await writeMeta(ctx.storage, meta);
    kvV2Event(ctx, patch ? 'metadata-patch' : 'metadata-write', `metadata/${path}`, path, true);
    if (change.cas_required === false && config.casRequired) {
      return { warnings: ['"cas_required" is false, but the engine configuration requires check-and-set; it still applies'] };
    }
    return null;
  });
}

async function read(ctx: V2Context): Promise<Response | null> {
  const path = readablePath(ctx.fields.path);
  if (path === null) return null;
  const meta = await readMeta(ctx.storage, path);
  return meta ? { data: metadataView(meta) } : null;
}

/** A secret is visible if the caller may read its data; a folder if it may list it. LIST and SCAN share this. */
function visibleIn(ctx: V2Context, folder: string) {
  return visibleFilter(ctx, (name) =>
    name.endsWith('/') ? { path: `metadata/${folder}${name}`, operation: 'list' } : { path: `data/${folder}${name}`, operation: 'read' },
  );
}

async function list(ctx: V2Context): Promise<Response | null> {
  const page = parsePage(ctx.raw);
  const folder = folderPath(ctx.fields.path);
  const visible = visibleIn(ctx, folder);
  let keys = await listLevel(ctx.storage, META_PREFIX + folder, page);
  if (visible) keys = keys.filter(visible);
  return keys.length ? { data: { keys } } : null;
}

async function scan(ctx: V2Context): Promise<Response | null> {
  const page = parsePage(ctx.raw);
  const folder = folderPath(ctx.fields.path);
  const keys = await scanKeys(ctx.storage, META_PREFIX + folder, page, visibleIn(ctx, folder));
  return keys.length ? { data: { keys } } : null;
}

async function remove(ctx: V2Context): Promise<null> {
  const path = readablePath(ctx.fields.path);
  if (path === null) return null;
  await lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    if (!meta) return;
    // Metadata first: once it is gone no version is reachable, even if a data delete fails.
    await deleteMeta(ctx.storage, path);
    await deleteVersions(ctx.storage, path, Object.keys(meta.versions).map(Number));
    kvV2Event(ctx, 'metadata-delete', `metadata/${path}`, path, true);
  });
  return null;
}

export const metadataPath: V2Path = {
  pattern: 'metadata/:path*',
  fields,
  operations: {
    read,
    list,
    scan,
    update: (ctx) => changeMetadata(ctx, false),
    patch: (ctx) => changeMetadata(ctx, true),
    delete: remove,
  },
  exists: async (ctx) => {
    const p = ctx.fields.path;
    return p !== '' && !p.endsWith('/') && (await readMeta(ctx.storage, p)) !== null;
  },
  help: {
    synopsis: 'Read or change the settings and version history of a secret; list secrets.',
    description:
      'GET returns current_version, oldest_version, the settings and every kept version. POST sets ' +
      'max_versions, cas_required, delete_version_after and custom_metadata (creating the entry if needed); ' +
      'PATCH changes only the fields given (a null in custom_metadata removes that key). DELETE removes the ' +
      'secret with all its versions. LIST (with optional after and limit) lists a folder; SCAN lists recursively.',
  },
};
