/**
 * The exclusion rules of the fuzz: requests that may not be sent because they would
 * legitimately destroy the state the final check reads. See fuzz.test.ts for the list and the
 * reasons.
 */
import type { FuzzRequest } from './requests.js';

/** Best-effort decoding of a request path, for the exclusion rules only. */
export function looseDecode(target: string): string {
  const q = target.indexOf('?');
  let p = q === -1 ? target : target.slice(0, q);
  p = p.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return p.replace(/^\/+v1\/+/, '').replace(/^\/+|\/+$/g, '');
}

export interface ExclusionRules {
  /** Strings that may appear only as a credential header, never in a path, query or body. */
  forbidden: string[];
  /** The root token (and anything else that must not revoke itself). */
  protectedTokens: string[];
  /** `sys/seal` is allowed only in the sealed phase. */
  sealAllowed: boolean;
}

/**
 * Why this request may not be sent (it would legitimately destroy the state the final check
 * reads), or null. See fuzz.test.ts for the list and the reasons.
 */
export function exclusionReason(req: FuzzRequest, rules: ExclusionRules): string | null {
  const bodyText = req.body?.toString('latin1') ?? '';
  const decoded = looseDecode(req.target);
  for (const s of rules.forbidden) {
    if (req.target.includes(s) || decoded.includes(s) || bodyText.includes(s)) return 'names a protected token or the canary';
  }
  if (!rules.sealAllowed && /^sys\/+seal(\/|$)/.test(decoded)) return 'sys/seal outside the sealed phase';
  const credential = Object.values(req.headers).join('\n');
  if (/^auth\/+token\/+revoke-self/.test(decoded) && rules.protectedTokens.some((t) => credential.includes(t))) {
    return 'revoke-self with a protected token';
  }
  const q = req.target.indexOf('?');
  if (/^sys\/+health/.test(decoded) && q !== -1) {
    let params: URLSearchParams | undefined;
    try {
      params = new URLSearchParams(req.target.slice(q + 1));
    } catch {
      params = undefined;
    }
    for (const [k, v] of params ?? []) if (/code$/i.test(k) && Number(v) >= 500) return 'sys/health with a caller-chosen 5xx status';
  }
  return null;
}
