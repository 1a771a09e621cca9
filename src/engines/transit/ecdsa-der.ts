/**
 * ECDSA signatures as ASN.1 DER (`SEQUENCE { INTEGER r, INTEGER s }`, what OpenSSL and
 * X.509 use) and as JWS's fixed-length r || s, for the prehashed path where the
 * signature is assembled here rather than by node:crypto.
 */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(value: Buffer): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  let body = value.subarray(i);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

export function encodeDer(r: Buffer, s: Buffer): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** (r, s) from DER, or null for anything that is not exactly one well-formed SEQUENCE of two INTEGERs. */
export function decodeDer(sig: Buffer): { r: Buffer; s: Buffer } | null {
  let pos = 0;
  const readLength = (): number | null => {
    if (pos >= sig.length) return null;
    const first = sig[pos++]!;
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count === 0 || count > 2 || pos + count > sig.length) return null;
    let n = 0;
    for (let i = 0; i < count; i++) n = (n << 8) | sig[pos++]!;
    return n < 0x80 ? null : n;
  };
  const readInteger = (): Buffer | null => {
    if (sig[pos++] !== 0x02) return null;
    const len = readLength();
    if (len === null || len === 0 || pos + len > sig.length) return null;
    const v = sig.subarray(pos, pos + len);
    pos += len;
    if (v[0]! & 0x80) return null; // negative
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return null; // not minimal
    return v;
  };
  if (sig[pos++] !== 0x30) return null;
  const total = readLength();
  if (total === null || pos + total !== sig.length) return null;
  const r = readInteger();
  const s = r && readInteger();
  if (!r || !s || pos !== sig.length) return null;
  return { r, s };
}

/** JWS form: r and s, each left-padded to the curve's size. */
export function encodeP1363(r: Buffer, s: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size * 2);
  r.copy(out, size - r.length);
  s.copy(out, 2 * size - s.length);
  return out;
}

export function decodeP1363(sig: Buffer, size: number): { r: Buffer; s: Buffer } | null {
  if (sig.length !== size * 2) return null;
  return { r: sig.subarray(0, size), s: sig.subarray(size) };
}
