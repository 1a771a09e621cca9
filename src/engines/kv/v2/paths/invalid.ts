/**
 * What a version-2 mount answers for a path outside its table (`kv2/app/secret`, the mount
 * root) or an operation on the bare root of one of its paths (`GET kv2/metadata`): 404 with
 * no `errors`, `data: null` and a warning naming the CLI command to use, exactly as Vault's
 * kv plugin answers. Clients key on that warning: the Go client reports it with "data was
 * empty", Ansible points to its kv2 modules, so a plain 404 would lose the hint.
 */
import { z } from 'zod';
import { definePath, type HandlerContext, type PathDefinition } from '../../../../framework/backend.js';
import { withStatus } from '../../../../logical/envelope.js';
import type { Operation, Response } from '../../../../logical/request.js';

/** The CLI subcommand the warning names for each operation. */
const SUBCOMMAND: Partial<Record<Operation, string>> = {
  read: 'get',
  list: 'list',
  scan: 'scan',
  create: 'put',
  update: 'put',
  patch: 'patch',
  delete: 'delete',
};

/** Roots whose bare name (no trailing '/') Vault answers with the root warning, unless listed. */
const ROOTS = new Set(['data', 'metadata', 'delete', 'undelete', 'destroy']);

function invalidAnswer(ctx: HandlerContext, operation: Operation): Response {
  const warning =
    'Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. ' +
    `If using the Vault CLI, use 'vault kv ${SUBCOMMAND[operation] ?? 'get'}' for this operation.`;
  return withStatus(ctx.req.id, 404, { warnings: [warning] });
}

/**
 * The answer for a request on the bare root of a version-2 path (`data`, `metadata`, ...,
 * no trailing slash), or undefined when the request is about something below it. A LIST
 * or SCAN always names a folder (core adds its '/'), so it never lands here.
 */
export function rootAnswer(ctx: HandlerContext, relPath: string): Response | undefined {
  if (relPath.includes('/') || ctx.req.operation === 'list' || ctx.req.operation === 'scan') return undefined;
  if (!ROOTS.has(relPath)) return invalidAnswer(ctx, ctx.req.operation);
  return withStatus(ctx.req.id, 404, { warnings: ['Non-listing operations on the root of a K/V v2 mount are not supported.'] });
}

/** The last path of a version-2 table: everything the other paths did not match. */
export function invalidPath(): PathDefinition {
  const answer = (ctx: HandlerContext) => invalidAnswer(ctx, ctx.req.operation);
  return definePath({
    pattern: ':path*',
    fields: { path: z.string().describe('Any path outside the versioned paths') },
    acceptsAnyField: true,
    unpublished: true,
    operations: { read: answer, list: answer, scan: answer, update: answer, patch: answer, delete: answer },
    help: {
      synopsis: 'Not a path of a versioned K/V secrets engine.',
      description: 'Secrets live under data/ (values), metadata/ (settings, versions, listing), delete/, undelete/, destroy/ and subkeys/.',
    },
  });
}
