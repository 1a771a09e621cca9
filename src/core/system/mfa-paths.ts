/**
 * `sys/mfa/validate`: completes a login that answered `auth.mfa_requirement`. Unauthenticated,
 * as in Vault: the request id is what ties it to the login, and it is good for one success.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath, type PathDefinition } from '../../framework/backend.js';
import type { Core } from '../core.js';

// The CLI's K=V form sends the map as a JSON string: `mfa_payload='{"<id>": ["123456"]}'`.
const fromJsonText = (v: unknown) => {
  if (typeof v !== 'string' || !v.trim().startsWith('{')) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
const payloadField = z.preprocess(fromJsonText, z.record(z.string(), z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]))));

export function mfaPaths(core: Core): PathDefinition[] {
  return [
    definePath({
      pattern: 'mfa/validate',
      fields: {
        mfa_request_id: z.string().optional().describe('The mfa_request_id of the login'),
        mfa_payload: payloadField.optional().describe('Passcodes by MFA method id (or name): {"<method_id>": ["123456"]}'),
      },
      operations: {
        update: (ctx) => {
          const id = (ctx.fields.mfa_request_id ?? '').trim();
          if (id === '') throw invalidRequest('missing mfa_request_id');
          const payload = ctx.fields.mfa_payload;
          if (!payload || Object.keys(payload).length === 0) throw invalidRequest('missing mfa_payload');
          return core.loginMfa.validate(id, payload);
        },
      },
      help: { synopsis: 'Validate the MFA passcodes of a login that answered mfa_requirement; answers the login’s token.' },
    }),
  ];
}
