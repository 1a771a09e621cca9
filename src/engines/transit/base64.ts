/**
 * Strict standard base64, as Vault decodes every binary field (plaintext, context,
 * associated_data, input, ciphertext bodies). Node's own decoder skips characters it does
 * not know, so "not base64!" would quietly become a few bytes and be encrypted; here it is
 * an error instead. Line breaks are skipped, as Go's decoder does.
 */
const URL_RAW = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$/;

/**
 * The bytes of padded standard base64, or null. On the hot path (every plaintext and
 * ciphertext), so no regex: node decodes, and the output must have exactly the length the
 * text implies. Node skips what is not in its alphabet and stops at a misplaced '=', so any
 * such character shortens the output; its alphabet also takes the URL-safe '-' and '_',
 * which are refused first. (base64.test.ts checks this against a strict regex.)
 */
function strict(text: string): Buffer | null {
  const n = text.length;
  if (n % 4 !== 0) return null;
  if (text.indexOf('-') !== -1 || text.indexOf('_') !== -1) return null;
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 61 /* = */) pad = text.charCodeAt(n - 2) === 61 ? 2 : 1;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (n / 4) * 3 - pad ? bytes : null;
}

export function decodeBase64(text: string): Buffer | null {
  const bytes = strict(text);
  if (bytes || (!text.includes('\n') && !text.includes('\r'))) return bytes;
  return strict(text.replace(/[\r\n]/g, ''));
}

/** URL-safe base64 without padding (JWS), or null. */
export function decodeBase64UrlRaw(text: string): Buffer | null {
  return URL_RAW.test(text) ? Buffer.from(text, 'base64url') : null;
}

export const BASE64_MESSAGE = 'not valid base64 (standard alphabet, padded)';
