/**
 * batch_input, as Vault's transit takes it: a list of objects, each processed on its own.
 * A bad item gets an `error` in its place in `batch_results` and the others still run.
 * Single requests go through the same code as a batch of one, and their one error becomes
 * the request's 400.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { invalidRequest, isCofferError } from '../../errors.js';
import type { Response } from '../../logical/request.js';
import { BASE64_MESSAGE, decodeBase64 } from './base64.js';

export type Item = Record<string, unknown>;
export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: string };

export const fieldError = (field: string, message: string) => invalidRequest(`invalid value for "${field}": ${message}`);

/** The request's batch_input as items, or null when there is none. */
export function batchItems(value: unknown): Item[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw fieldError('batch_input', 'expected a list of objects');
  if (value.length === 0) throw invalidRequest('missing batch input to process');
  return value as Item[];
}

/** An item must be an object; checked inside the item's own run so the error is its own. */
export function itemObject(item: unknown): Item {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidRequest('batch item must be an object');
  return item as Item;
}

/** A string field; absent and null are undefined. */
export function itemString(item: Item, field: string): string | undefined {
  const v = item[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fieldError(field, 'expected a string');
  return v;
}

/** An integer field (a number or a numeric string); absent is 0. */
export function itemInt(item: Item, field: string): number {
  const v = item[field];
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw fieldError(field, 'expected an integer');
  return n;
}

/** A base64 field's bytes; '' and absent are null. */
export function itemBase64(item: Item, field: string): Buffer | null {
  const text = itemString(item, field);
  if (text === undefined || text === '') return null;
  const bytes = decodeBase64(text);
  if (!bytes) throw fieldError(field, BASE64_MESSAGE);
  return bytes;
}

/**
 * Batch work gives the event loop back after this long per turn. One thread serves every
 * client, so without it a 32 MiB batch of RSA-4096 signatures would hold every other request
 * (health checks, logins, reads) for minutes. Batches in flight share the slice: each gets
 * SLICE_MS / (batches in flight), so four large batches hold a turn for ~20 ms, not 80.
 * Not shorter: with 5 ms slices a 1,000-item encrypt batch (~11 ms) yielded mid-way, batches
 * piled up in memory and the batch bench lost ~6 % (bench/RESULTS.md, session 5); at 20 ms
 * it is unchanged.
 */
const SLICE_MS = 20;

/** Batches that have started and not finished: only ones that yielded overlap another. */
let inFlight = 0;

/**
 * Runs `fn` on every item; a CofferError becomes that item's error, anything else is a bug and
 * propagates. Items of one slice run back to back; between slices other requests run, so an
 * item after a yield may find its key wiped (deleted, trimmed, sealed) and get that item's
 * error, never the key of another request (see KeyVersion.wiped).
 */
export async function runItems<T>(items: readonly unknown[], fn: (item: Item, index: number) => T): Promise<ItemResult<T>[]> {
  const out: ItemResult<T>[] = new Array(items.length);
  inFlight++;
  try {
    let sliceEnd = performance.now() + SLICE_MS / inFlight;
    for (let i = 0; i < items.length; i++) {
      if (performance.now() > sliceEnd) {
        await nextTurn();
        sliceEnd = performance.now() + SLICE_MS / inFlight;
      }
      try {
        out[i] = { ok: true, value: fn(itemObject(items[i]), i) };
      } catch (err) {
        if (!isCofferError(err)) throw err;
        out[i] = { ok: false, error: err.messages.join('; ') || 'invalid request' };
      }
    }
  } finally {
    inFlight--;
  }
  return out;
}

/** The item's `reference`, echoed back so callers can match results to inputs. */
export function referenceOf(item: unknown): string {
  const ref = typeof item === 'object' && item !== null ? (item as Item)['reference'] : undefined;
  return typeof ref === 'string' ? ref : '';
}

/** The one result of a single (non-batch) request, or its error as the request's 400. */
export function single<T>(results: ItemResult<T>[]): T {
  const r = results[0]!;
  if (!r.ok) throw invalidRequest(r.error);
  return r.value;
}

/**
 * Encrypt and decrypt answer a batch with any failed item with 400 (the results still in the
 * body), as Vault does; `partial_failure_response_code` picks another status for a batch
 * where some items succeeded. Other batched operations always answer 200.
 */
export function batchStatus(results: ItemResult<unknown>[], partialCode: number | undefined, response: Response): Response {
  const failed = results.some((r) => !r.ok);
  if (!failed) return response;
  const succeeded = results.some((r) => r.ok);
  if (partialCode !== undefined && partialCode !== 0 && succeeded) {
    // 1xx cannot carry a body; anything outside HTTP's range is no status at all.
    if (partialCode < 200 || partialCode > 599) {
      response.warnings = [...(response.warnings ?? []), `partial_failure_response_code ${partialCode} is not an HTTP status from 200 to 599; answering 400`];
      response.status = 400;
    } else {
      response.status = partialCode;
    }
    return response;
  }
  response.status = 400;
  return response;
}
