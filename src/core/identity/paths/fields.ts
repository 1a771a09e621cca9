/** Field types the identity paths share. */
import { z } from 'zod';
import { f } from '../../../framework/fields.js';

/** Metadata as Vault takes it: a map of strings, or a list of `key=value` strings. */
export const metadataField = () =>
  z.preprocess((v) => {
    if (typeof v === 'string') v = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (!Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const item of v) {
      if (typeof item !== 'string' || !item.includes('=')) return v; // fails the record check below, naming the field
      const at = item.indexOf('=');
      out[item.slice(0, at).trim()] = item.slice(at + 1);
    }
    return out;
  }, z.record(z.string(), z.string()));

export const idList = () => f.commaList();
export const policiesField = () => f.commaList().optional().describe('Policies the identity brings to its tokens');
