/** Field shapes shared by the database paths. */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';

/**
 * Statements as Vault takes them: a list of strings, or one string that is a JSON array,
 * base64 of either, or plain SQL (several statements separated by `;`).
 */
export const statementsField = () =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return Array.isArray(v) ? v.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '') : v;
    let text = v.trim();
    if (text === '') return [];
    if (text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
      } catch {
        // not base64 after all: plain SQL
      }
    }
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // SQL that happens to start with '['
      }
    }
    return [text];
  }, z.array(z.string()));

export const nameField = z.string().min(1).regex(/^[^/]+$/, 'a name without "/"');

/** Database settings are refused, not ignored, when misspelled: a typo must not silently leave a default in force. */
export function refuseUnknownFields(raw: Record<string, unknown>, shape: Record<string, unknown>): void {
  const unknown = Object.keys(raw).filter((k) => !(k in shape));
  if (unknown.length) throw invalidRequest(`unknown fields: ${unknown.sort().join(', ')}`);
}
