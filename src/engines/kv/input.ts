/**
 * Request input for kv handlers. Every kv path must accept whatever a version-1 write
 * accepts (arbitrary JSON), so the framework sees lenient copies of the fields and the
 * handlers validate strictly here, with the framework's message style: the field is named.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';

type Shape = Record<string, z.ZodType>;

export interface Input<S extends Shape> {
  readonly shape: S;
  readonly schema: z.ZodObject<S>;
  /** What a request with no input parses to (most reads send none), once it was needed. */
  empty?: z.infer<z.ZodObject<S>>;
}

/** Compiled once per handler, at module load. */
export function input<S extends Shape>(shape: S): Input<S> {
  return { shape, schema: z.object(shape) };
}

function isEmpty(raw: Record<string, unknown>): boolean {
  for (const _ in raw) return false;
  return true;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : 'request body';
  return `invalid value for "${field}": ${issue.message}`;
}

/** The declared fields of `raw`, validated; a 400 naming every bad field otherwise. */
export function parseInput<S extends Shape>(spec: Input<S>, raw: Record<string, unknown>): z.infer<z.ZodObject<S>> {
  // Shared and frozen: parsed once, and no caller can change it for the next.
  if (spec.empty !== undefined && isEmpty(raw)) return spec.empty;
  const result = spec.schema.safeParse(raw);
  if (!result.success) throw invalidRequest(result.error.issues.map(describeIssue).join('; '));
  if (spec.empty === undefined && isEmpty(raw)) (spec as { empty?: unknown }).empty = Object.freeze(result.data);
  return result.data;
}

/** A field error in the same words as parseInput's. */
export function fieldError(field: string, message: string) {
  return invalidRequest(`invalid value for "${field}": ${message}`);
}

/**
 * The framework-facing copy of a field table: same types and descriptions (help, OpenAPI),
 * but a value that does not fit becomes `undefined` instead of a 400, since on a version-1
 * mount the same path is a plain key holding arbitrary data.
 */
export function lenientFields(shape: Shape): Shape {
  const out: Shape = {};
  for (const [name, schema] of Object.entries(shape)) {
    const lenient = schema.optional().catch(undefined);
    out[name] = schema.description ? lenient.describe(schema.description) : lenient;
  }
  return out;
}

/** Keys of `raw` that `shape` does not declare: reported as a warning, as Vault does. */
export function unknownFields(raw: Record<string, unknown>, shape: Shape): string[] {
  const out: string[] = [];
  for (const key in raw) if (!Object.hasOwn(shape, key)) out.push(key);
  return out;
}

/** Integers from numbers or numeric strings (query parameters arrive as strings). */
export const intField = () =>
  z.preprocess((v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v), z.number().int());

export const nonNegativeInt = () =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number({ message: 'expected a non-negative integer' }).int('expected a non-negative integer').nonnegative('expected a non-negative integer'),
  );
