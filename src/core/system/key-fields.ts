/** The `key` + `nonce` body that every share-collecting step takes (rekey, verify, generate-root). */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { parseKeyShare } from '../../seal/key-share.js';

export const updateFields = {
  key: z.string().optional().describe('One key share, hex or base64'),
  nonce: z.string().optional().describe('The nonce of the operation in progress'),
};

/** Both fields present and the share decoded; a 400 naming the missing one otherwise. */
export function requireKey(fields: { key?: string; nonce?: string }): { key: Buffer; nonce: string } {
  if (!fields.key) throw invalidRequest("'key' must be specified in request body as JSON");
  if (!fields.nonce) throw invalidRequest("'nonce' must be specified in request body as JSON");
  return { key: parseKeyShare(fields.key), nonce: fields.nonce };
}
