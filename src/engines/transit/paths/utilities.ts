/** hash[/:algorithm] and random[/:source][/:bytes]: keyless helpers of the transit API. */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { BASE64_MESSAGE, decodeBase64 } from '../base64.js';
import { DIGEST_NAMES, hashAlgorithm, pickAlgorithm } from '../hash-algorithms.js';
import type { Ctx } from './common.js';

/** Vault's ceiling for one random request. */
export const MAX_RANDOM_BYTES = 128 * 1024;
const SOURCES = ['platform', 'seal', 'all'];

const hashFields = {
  urlalgorithm: z.string().optional().describe('Hash algorithm, in the URL'),
  input: z.string().optional().describe('Base64 input'),
  algorithm: z.string().optional().describe(`${DIGEST_NAMES.join(', ')}; default sha2-256`),
  format: z.string().optional().describe('hex (default) or base64'),
};

const randomFields = {
  source: z.string().optional().describe('Entropy source, in the URL: platform (default), seal or all'),
  urlbytes: z.string().optional().describe('Number of bytes, in the URL'),
  bytes: z.union([z.number(), z.string()]).optional().describe(`Number of bytes, 1 to ${MAX_RANDOM_BYTES}; default 32`),
  format: z.string().optional().describe('base64 (default) or hex'),
};

function encoding(format: string | undefined, fallback: 'hex' | 'base64'): 'hex' | 'base64' {
  const f = format || fallback;
  if (f !== 'hex' && f !== 'base64') throw invalidRequest(`invalid value for "format": "${f}"; use hex or base64`);
  return f;
}

function hash(ctx: Ctx<z.infer<z.ZodObject<typeof hashFields>>>): Response {
  if (ctx.fields.input === undefined) throw invalidRequest('missing input to hash');
  const input = decodeBase64(ctx.fields.input);
  if (!input) throw invalidRequest(`invalid value for "input": ${BASE64_MESSAGE}`);
  const format = encoding(ctx.fields.format, 'hex');
  const algorithm = hashAlgorithm(pickAlgorithm([ctx.fields.urlalgorithm, ctx.fields.algorithm], 'sha2-256'), DIGEST_NAMES, 'algorithm');
  return { data: { sum: createHash(algorithm.node).update(input).digest(format) } };
}

function byteCount(value: string | number, field: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidRequest(`invalid value for "${field}": expected a whole number of bytes`);
  return n;
}

function random(ctx: Ctx<z.infer<z.ZodObject<typeof randomFields>>>): Response {
  let { source, urlbytes } = ctx.fields;
  // random/<x> is a source when x names one, else a byte count (as Vault reads it).
  if (source !== undefined && urlbytes === undefined && !SOURCES.includes(source)) {
    urlbytes = source;
    source = undefined;
  }
  source ??= 'platform';
  if (!SOURCES.includes(source)) throw invalidRequest(`unsupported entropy source "${source}"; use platform, seal or all`);
  const bytes = urlbytes !== undefined ? byteCount(urlbytes, 'bytes') : ctx.fields.bytes !== undefined ? byteCount(ctx.fields.bytes, 'bytes') : 32;
  if (bytes < 1) throw invalidRequest('"bytes" cannot be less than 1');
  if (bytes > MAX_RANDOM_BYTES) throw invalidRequest(`"bytes" cannot be more than ${MAX_RANDOM_BYTES}`);
  const format = encoding(ctx.fields.format, 'base64');
  const response: Response = { data: { random_bytes: randomBytes(bytes).toString(format) } };
  // Coffer's seals add no entropy of their own: every source is the platform's CSPRNG.
  if (source === 'seal') response.warnings = ['no seal entropy source is available; using platform entropy'];
  return response;
}

export function utilityPaths(): PathDefinition[] {
  const hashHelp = { synopsis: 'Hash base64 input: sha2-224/256/384/512 or sha3-224/256/384/512, hex or base64.' };
  const randomHelp = { synopsis: `Random bytes from the platform CSPRNG, 1 to ${MAX_RANDOM_BYTES}, base64 or hex.` };
  return [
    definePath({ pattern: 'hash', fields: hashFields, operations: { update: hash }, help: hashHelp }),
    definePath({ pattern: 'hash/:urlalgorithm', fields: hashFields, operations: { update: hash }, help: hashHelp }),
    definePath({ pattern: 'random', fields: randomFields, operations: { update: random }, help: randomHelp }),
    definePath({ pattern: 'random/:source', fields: randomFields, operations: { update: random }, help: randomHelp }),
    definePath({ pattern: 'random/:source/:urlbytes', fields: randomFields, operations: { update: random }, help: randomHelp }),
  ];
}
