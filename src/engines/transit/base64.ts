/**
 * Strict standard base64, as Vault decodes every binary field (plaintext, context,
 * associated_data, input, ciphertext bodies). Node's own decoder skips characters it does
 * not know, so "not base64!" would quietly become a few bytes and be encrypted; here it is
 * an error instead. Line breaks are skipped, as Go's decoder does.
 */
const STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_RAW = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$/;

/** The bytes of `text`, or null when it is not standard, padded base64. */
export function decodeBase64(text: string): Buffer | null {
  if (STD.test(text)) return Buffer.from(text, 'base64');
  if (text.includes('\n') || text.includes('\r')) {
    const joined = text.replace(/[\r\n]/g, '');
    if (STD.test(joined)) return Buffer.from(joined, 'base64');
  }
  return null;
}

/** URL-safe base64 without padding (JWS), or null. */
export function decodeBase64UrlRaw(text: string): Buffer | null {
  return URL_RAW.test(text) ? Buffer.from(text, 'base64url') : null;
}

export const BASE64_MESSAGE = 'not valid base64 (standard alphabet, padded)';
