/**
 * JSON merge patch (RFC 7386): objects merge key by key, recursively; a null in the patch
 * removes the key; anything else (arrays included) replaces. Inputs are never changed.
 * Keys are set as own properties, so a key named `__proto__` is data like any other.
 */
type Json = unknown;

export function isJsonObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function setOwn(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return patch;
  const out: Record<string, Json> = {};
  if (isJsonObject(target)) for (const [key, value] of Object.entries(target)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}
