/**
 * Request fields shared by transit's paths, and the helpers that read them the way Vault
 * does: base64 values decoded strictly, "" the same as absent.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { BASE64_MESSAGE, decodeBase64 } from './base64.js';

/** Vault's key-name rule: word characters, with '-', '.' and '@' inside. */
const NAME = /^\w(?:[\w.@-]*\w)?$/;

export const nameField = z
  .string()
  .regex(NAME, 'key names are letters, digits and _, with - . @ allowed inside')
  .describe('Name of the key');

export const batchField = (description: string) => z.array(z.unknown()).describe(description);

/** A base64 field of the request's body: its bytes, or null when absent or ''. */
export function requestBase64(value: string | undefined, field: string): Buffer | null {
  if (value === undefined || value === '') return null;
  const bytes = decodeBase64(value);
  if (!bytes) throw invalidRequest(`invalid value for "${field}": ${BASE64_MESSAGE}`);
  return bytes;
}
