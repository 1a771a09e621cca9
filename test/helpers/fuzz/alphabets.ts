/** The characters the fuzz generators draw from: URL-safe, visible ASCII, and Unicode well past ASCII. */
import type { Prng } from './prng.js';

export const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';
/** Visible ASCII, for header values. */
export const VISIBLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

export function unicodeString(r: Prng, length: number): string {
  const ranges: [number, number][] = [
    [0xa0, 0xff], // Latin-1
    [0x370, 0x3ff], // Greek
    [0x590, 0x5ff], // Hebrew (RTL)
    [0x300, 0x36f], // combining marks
    [0x200b, 0x200f], // zero-width and direction marks
    [0x4e00, 0x4e80], // CJK
    [0xfff0, 0xfffd], // specials
    [0x1f600, 0x1f64f], // emoji
    [0x10000, 0x1007f], // astral
  ];
  let out = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = r.pick(ranges);
    out += String.fromCodePoint(r.range(lo, hi));
  }
  return out;
}
