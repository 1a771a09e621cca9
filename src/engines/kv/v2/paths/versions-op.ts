/** What delete/, undelete/ and destroy/ share: a secret path and a `versions` list. */
import { fieldError, input, parseInput } from '../../input.js';
import { writablePath } from '../../key-path.js';
import type { V2Context } from '../path.js';
import { versionsField } from '../settings.js';

export const versionsFields = { versions: versionsField };

const versionsInput = input(versionsFields);

/** The secret path and the version numbers of the request, validated. */
export function parseVersionsRequest(ctx: V2Context): { path: string; versions: number[] } {
  const path = writablePath(ctx.fields.path);
  if (ctx.raw.versions === undefined) throw fieldError('versions', 'no version numbers given; send e.g. {"versions": [1, 2]}');
  return { path, versions: parseInput(versionsInput, ctx.raw).versions };
}
