/**
 * Random and malformed v1 API requests for the fuzz test: a real endpoint with fields aimed at
 * what its handler reads (endpoints.ts), or a generated path (paths.ts), method (methods.ts)
 * and body (bodies.ts); then headers (headers.ts). Everything comes from one seeded Prng, so a
 * seed reproduces the same sequence of requests. What may not be sent is in exclusions.ts.
 */
import { body } from './bodies.js';
import { endpointRequest } from './endpoints.js';
import { requestHeaders } from './headers.js';
import { method } from './methods.js';
import { path } from './paths.js';
import type { Prng } from './prng.js';

export interface FuzzRequest {
  /** Position in the whole run (1-based), for the failure report. */
  n: number;
  phase: string;
  method: string;
  /** The raw request target, `/v1/...` with any query, exactly as sent. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** Which body generator was used, for the report. */
  bodyKind: string;
}

export interface FuzzInputs {
  rootToken: string;
  /** Tokens (and their accessors) made for the fuzz: using, renewing or revoking them is fine. */
  throwawayTokens: string[];
  throwawayAccessors: string[];
}

export function generateRequest(r: Prng, inputs: FuzzInputs, n: number, phase: string): FuzzRequest {
  let m: string;
  let target: string;
  let kind: string;
  let b: Buffer | undefined;
  if (r.chance(0.4)) {
    ({ method: m, target, kind, body: b } = endpointRequest(r, inputs));
  } else {
    m = method(r);
    target = path(r);
    ({ kind, body: b } = body(r, inputs, m));
  }
  const headers = requestHeaders(r, inputs, b !== undefined);
  const chunked = b !== undefined && r.chance(0.05);
  return { n, phase, method: m, target, headers, body: b, chunked, bodyKind: kind };
}
