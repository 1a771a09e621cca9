/**
 * `data/<path>`: read a version, write a new one (with check-and-set), patch the latest
 * with a JSON merge patch, soft-delete the latest.
 */
import { z } from 'zod';
import { invalidRequest, notFound } from '../../../../errors.js';
import type { Response } from '../../../../logical/request.js';
import { input, nonNegativeInt, parseInput } from '../../input.js';
import { readablePath, writablePath } from '../../key-path.js';
import { versionView } from '../format.js';
import { isJsonObject, mergePatch } from '../merge-patch.js';
import { kvV2Event } from '../../events.js';
import { lockSecret, type V2Context, type V2Path } from '../path.js';
import { readSecretVersion } from '../read-version.js';
import { readConfig, readMeta, readVersion, storeVersionEntries, writeMeta, type KeyMeta, type KvConfig } from '../storage.js';
import { addVersion, checkCas, newKeyMeta, softDelete, stateOf, versionMeta } from '../versions.js';

const DATA_MESSAGE = "expected an object holding the secret's key/value pairs";

/**
 * Any integer: a negative one is a version no secret has, so it is refused as a mismatch
 * (Vault's answer, which clients match on), not as a malformed field.
 */
const casField = () =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number({ message: 'expected an integer' }).int('expected an integer').refine(Number.isSafeInteger, 'expected an integer'),
  );

const fields = {
  version: nonNegativeInt().describe('Version to read; 0 or unset = the latest'),
  data: z.record(z.string(), z.unknown(), { message: DATA_MESSAGE }).describe('The secret: a map of keys to values'),
  options: z
    .object({ cas: casField().nullish().describe('Check-and-set: the current version; 0 = only if none exists') }, { message: 'expected an object such as {"cas": 1}' })
    .describe('Write options: {"cas": <version>}'),
};

const readInput = input({ version: fields.version.optional() });
const writeInput = input({ data: fields.data, options: fields.options.optional() });

function parseWrite(ctx: V2Context): { data: Record<string, unknown>; cas: number | undefined } {
  if (ctx.raw.data === undefined) throw invalidRequest('no data provided: send the secret as "data": {...}');
  const { data, options } = parseInput(writeInput, ctx.raw);
  return { data, cas: options?.cas ?? undefined };
}

/** Stores `data` as the next version of `path` and answers with its metadata. */
async function storeVersion(
  ctx: V2Context,
  path: string,
  meta: KeyMeta | null,
  config: KvConfig,
  data: Record<string, unknown>,
  now: number,
  operation: 'data-write' | 'data-patch',
): Promise<Response> {
  const entry = meta ?? newKeyMeta(path, now);
  const { version, pruned } = addVersion(entry, config, now);
  // Data first, metadata second: until the metadata names it, a version does not exist.
  // One atomic commit where the storage allows (one fsync per write, not two).
  await storeVersionEntries(ctx.storage, path, entry, version, { data }, pruned);
  kvV2Event(ctx, operation, `data/${path}`, path, true, { current_version: String(version), oldest_version: String(entry.oldestVersion) });
  return { data: versionView(entry, version, entry.versions[version]!) };
}

async function read(ctx: V2Context): Promise<Response | null> {
  const path = readablePath(ctx.fields.path);
  if (path === null) return null;
  const { version } = parseInput(readInput, ctx.raw);
  const found = await readSecretVersion(ctx, path, version ?? 0);
  if (!found) return null;
  // Vault answers a deleted or destroyed version with 404 and its metadata.
  if (!found.data) return { status: 404, data: { data: null, metadata: found.metadata } };
  return { data: { data: found.data, metadata: found.metadata } };
}

async function write(ctx: V2Context): Promise<Response> {
  const path = writablePath(ctx.fields.path);
  const { data, cas } = parseWrite(ctx);
  return lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    const config = await readConfig(ctx.storage);
    checkCas(meta, config, cas);
    return storeVersion(ctx, path, meta, config, data, ctx.clock(), 'data-write');
  });
}

async function patch(ctx: V2Context): Promise<Response> {
  const path = writablePath(ctx.fields.path);
  const { data: patchData, cas } = parseWrite(ctx);
  return lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    if (!meta) throw notFound();
    const config = await readConfig(ctx.storage);
    checkCas(meta, config, cas);
    const n = meta.currentVersion;
    const vm = versionMeta(meta, n);
    if (!vm) throw notFound();
    const now = ctx.clock();
    if (stateOf(vm, now) !== 'live') return { status: 404, data: versionView(meta, n, vm) };
    const current = await readVersion(ctx.storage, path, n);
    if (!current) throw new Error(`kv: version ${n} of a secret has metadata but no data`);
    const merged = mergePatch(current.data, patchData);
    if (!isJsonObject(merged)) throw new Error('kv: a merge patch of two objects gave no object');
    return storeVersion(ctx, path, meta, config, merged, now, 'data-patch');
  });
}

async function deleteLatest(ctx: V2Context): Promise<null> {
  const path = readablePath(ctx.fields.path);
  if (path === null) return null;
  await lockSecret(ctx, path, async () => {
    const meta = await readMeta(ctx.storage, path);
    if (!meta) return;
    const modified = softDelete(meta, [meta.currentVersion], ctx.clock());
    if (modified) await writeMeta(ctx.storage, meta);
    kvV2Event(ctx, 'data-delete', `data/${path}`, path, modified, { deleted_versions: String(meta.currentVersion) });
  });
  return null;
}

export const dataPath: V2Path = {
  pattern: 'data/:path*',
  fields,
  operations: { read, update: write, patch, delete: deleteLatest },
  exists: async (ctx) => {
    const p = ctx.fields.path;
    return p !== '' && !p.endsWith('/') && (await readMeta(ctx.storage, p)) !== null;
  },
  help: {
    synopsis: 'Read, write, patch or soft-delete the versions of a secret.',
    description:
      'A write stores a new version ({"data": {...}, "options": {"cas": N}}); a read returns the latest ' +
      'version or ?version=N; PATCH merges a JSON merge patch into the latest version as a new version; ' +
      'DELETE marks the latest version deleted (undo with undelete/).',
  },
};
