/**
 * A new root token authorized by a threshold of unseal (or recovery) key shares, on two sets
 * of paths that drive the one attempt the seal holds:
 * - sys/generate-root/* (Vault's): the shares are the only authority, so it is served without
 *   a token where the listener allows it (`disable_unauthed_generate_root_endpoints = false`),
 *   for an operator who lost every root token. Elsewhere it needs a token with sudo.
 * - sys/generate-root-token/* (OpenBao's): always behind a token with sudo, answered in the
 *   envelope, so nobody without one can start, read or cancel an operator's attempt.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import type { Response } from '../../logical/request.js';
import type { Core } from '../core.js';
import { requireKey, updateFields } from './key-fields.js';

type Shape = (body: object) => Response;
/** Vault answers sys/generate-root/* with a bare body; OpenBao's token paths with the envelope. */
const bare: Shape = (body) => ({ raw: body });
const enveloped: Shape = (body) => ({ data: { ...body } });

export function generateRootPaths(core: Core) {
  return [...pathsAt(core, 'generate-root', bare), ...pathsAt(core, 'generate-root-token', enveloped)];
}

function pathsAt(core: Core, base: 'generate-root' | 'generate-root-token', shape: Shape) {
  return [
    definePath({
      pattern: `${base}/attempt`,
      fields: {
        pgp_key: z.string().optional().describe('Not supported: the token is always encoded with an OTP.'),
        otp: z.string().optional().describe('Your own one-time pad for the encoded token; one is generated when absent.'),
      },
      operations: {
        read: () => shape(core.seal.generateRootStatus()),
        update: async ({ fields }) => {
          if (fields.pgp_key) throw invalidRequest('PGP keys are not supported: pgp_key cannot be used; leave it out and use the OTP');
          return shape(await core.seal.generateRootInit({ otp: fields.otp }));
        },
        delete: () => {
          core.seal.generateRootCancel();
          return null;
        },
      },
      help: { synopsis: 'Start, read or cancel the generation of a new root token.' },
    }),
    definePath({
      pattern: `${base}/update`,
      fields: updateFields,
      operations: {
        update: async ({ fields }) => {
          const { key, nonce } = requireKey(fields);
          return shape(await core.seal.generateRootUpdate(key, nonce, async () => (await core.createRootToken()).token));
        },
      },
      help: { synopsis: 'Submit one unseal key share for the running root token generation.' },
    }),
  ];
}
