/**
 * From a routed request to a handler call: find the path, parse and validate its fields,
 * settle create vs update, dispatch by operation.
 */
import type { z } from 'zod';
import { invalidRequest, unsupportedOperation } from '../errors.js';
import type { Operation, Response } from '../logical/request.js';
import type { Backend, HandlerContext, PathDefinition } from './backend.js';
import { renderPathHelp } from './help.js';

export interface RoutedPath {
  def: PathDefinition;
  params: Record<string, string>;
}

export function findPath(backend: Backend, relPath: string): RoutedPath | null {
  for (const def of backend.paths) {
    const params = def.pattern.match(relPath);
    if (params) return { def, params };
  }
  return null;
}

/** Request data with the `null`s clients send for "unset" removed. */
export function dropNulls(data: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in data) {
    if (data[key] === null) {
      out ??= { ...data };
      delete out[key];
    }
  }
  return out ?? data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : 'request body';
  return `invalid value for "${field}": ${issue.message}`;
}

export function parseFields(
  route: RoutedPath,
  data: Record<string, unknown>,
): { fields: Record<string, unknown>; ignored: string[] } {
  // Copied key by key into a prototype-less object: as fast as zod can read (a spread copy
  // made its validation several times slower on JSON bodies), and a `__proto__` key in a body
  // stays a plain key, which the schema then drops.
  const input: Record<string, unknown> = Object.create(null);
  for (const key in data) input[key] = data[key];
  for (const key in route.params) input[key] = route.params[key];
  const result = route.def.schema.safeParse(input);
  if (!result.success) throw invalidRequest(result.error.issues.map(describeIssue).join('; '));
  const ignored: string[] = [];
  if (!route.def.spec.acceptsAnyField) {
    const shape = route.def.schema.shape;
    for (const key in data) if (!(key in shape)) ignored.push(key);
  }
  return { fields: result.data as Record<string, unknown>, ignored };
}

/**
 * Turns a write into `create` or `update` through the path's existence check; without a
 * promise when the check answers at once (a transit key in memory).
 */
export function settleWriteOperation(route: RoutedPath, ctx: HandlerContext): Promise<Operation> | Operation {
  const check = route.def.spec.existenceCheck;
  if (!check) return 'update';
  const exists = check(ctx);
  if (typeof exists === 'boolean') return exists ? 'update' : 'create';
  return exists.then((found) => (found ? 'update' : 'create'));
}

export function supportsOperation(route: RoutedPath, op: Operation): boolean {
  const ops = route.def.spec.operations;
  if (op === 'help') return true;
  if (ops[op]) return true;
  return (op === 'create' && !!ops.update) || (op === 'update' && !!ops.create);
}

export async function runHandler(
  backend: Backend,
  route: RoutedPath,
  op: Operation,
  ctx: HandlerContext,
  ignored: string[],
): Promise<Response | null> {
  if (op === 'help') return { raw: { help: renderPathHelp(backend, route.def), see_also: null } };
  const ops = route.def.spec.operations;
  const handler = op === 'create' ? ops.create ?? ops.update : op === 'update' ? ops.update ?? ops.create : ops[op];
  if (!handler) throw unsupportedOperation();
  const response = (await handler(ctx)) ?? null;
  if (response && ignored.length > 0) {
    response.warnings = [...(response.warnings ?? []), `Endpoint ignored these unrecognized parameters: [${ignored.join(' ')}]`];
  }
  return response;
}
