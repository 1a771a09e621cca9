/**
 * sys/wrapping/wrap, unwrap, lookup and rewrap. Wrapping itself happens in the pipeline
 * (core/wrapping/): `wrap` only answers with what it was sent, and the pipeline wraps it.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import type { Request } from '../../logical/request.js';
import type { Core } from '../core.js';
import { createWrappingToken, cubbyholeStorage } from '../wrapping/wrap-response.js';
import { readWrappedBody, readWrapRecord } from '../wrapping/wrapped-store.js';
import { claimWrappingToken, peekWrappingToken } from '../wrapping/wrapping-request.js';
import { INVALID_WRAPPING_TOKEN } from '../wrapping/wrapping-token.js';

const tokenField = { token: z.string().optional().describe('The wrapping token; the calling token when absent.') };

export function wrappingPaths(core: Core) {
  return [
    definePath({
      pattern: 'wrapping/wrap',
      acceptsAnyField: true,
      operations: {
        update: ({ req }) => {
          if (req.wrapTtl === undefined) throw invalidRequest('sys/wrapping/wrap requires response wrapping: set the X-Vault-Wrap-TTL header');
          // The body as sent, nulls included: it comes back unchanged on unwrap.
          return { data: { ...req.data } };
        },
      },
      help: { synopsis: 'Wrap the given JSON object in a new response-wrapping token (needs X-Vault-Wrap-TTL).' },
    }),
    definePath({
      pattern: 'wrapping/unwrap',
      fields: tokenField,
      operations: {
        update: async ({ req }) => {
          const claimed = await claimWrappingToken(core, req);
          let body: string | null;
          try {
            body = await readWrappedBody(cubbyholeStorage(core), claimed.entry.cubbyholeId);
          } finally {
            await claimed.release();
          }
          if (body === null) throw invalidRequest(INVALID_WRAPPING_TOKEN);
          // The wrapped answer as its first client would have had it, envelope and all.
          return { raw: JSON.parse(body) as unknown };
        },
      },
      help: { synopsis: 'Return the answer held by a wrapping token, and revoke the token.' },
    }),
    definePath({
      pattern: 'wrapping/lookup',
      fields: tokenField,
      operations: {
        read: ({ req }) => lookup(core, req),
        update: ({ req }) => lookup(core, req),
      },
      help: { synopsis: "A wrapping token's creation path, time and TTL; the token stays usable." },
    }),
    definePath({
      pattern: 'wrapping/rewrap',
      fields: tokenField,
      operations: {
        update: async ({ req }) => {
          const claimed = await claimWrappingToken(core, req);
          const storage = cubbyholeStorage(core);
          const [body, record] = await Promise.all([
            readWrappedBody(storage, claimed.entry.cubbyholeId),
            readWrapRecord(storage, claimed.entry.cubbyholeId),
          ]);
          if (body === null || record === null) {
            await claimed.release();
            throw invalidRequest(INVALID_WRAPPING_TOKEN);
          }
          // The new token first: if it cannot be made, the old one is spent but its contents stay put until it expires.
          const wrapInfo = await createWrappingToken(core, { body, ttl: record.creation_ttl, creationPath: record.creation_path });
          await claimed.release();
          return { wrapInfo };
        },
      },
      help: { synopsis: 'Move the answer of a wrapping token into a new one with the same TTL; the old token is revoked.' },
    }),
  ];
}

async function lookup(core: Core, req: Request) {
  const entry = await peekWrappingToken(core, req);
  const record = await readWrapRecord(cubbyholeStorage(core), entry.cubbyholeId);
  if (!record) throw invalidRequest(INVALID_WRAPPING_TOKEN);
  return { data: { creation_path: record.creation_path, creation_time: record.creation_time, creation_ttl: record.creation_ttl } };
}
