/**
 * Fuzz request bodies: JSON objects aimed at real field names, malformed and deeply nested
 * JSON, scalars, binary, form data, empty bodies and huge ones.
 */
import { FIELD_NAMES, randomObject } from './field-values.js';
import { toJsonText } from './json-text.js';
import type { Prng } from './prng.js';
import type { FuzzInputs } from './requests.js';

const MALFORMED = [
  '{', '}', '{"a":}', "{'a':1}", '{"a":1,}', 'NaN', '{"a":NaN}', '{"a":undefined}', '{"a":1} trailing', '{"a":1}{"b":2}',
  '\ufeff{"a":1}', '{"a":"\\ud800"}', '{"a":"\\u00"}', '{"a":"\u0001\u0002"}', '{"a":01}', '{"a":-}', '{"a":.5}', '{"a":1e}',
  '{"a":tru}', '{"a":"unterminated}', '{"a":[1,2}', '{"a":{"b":1]}', '{"a" 1}', '{a:1}', '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}', '{"a":"\\x41"}', '\u0000', '{"type":"kv"}\u0000', '{"a":1}\n\n\n',
];

function malformed(r: Prng, inputs: FuzzInputs): string {
  return r.weighted<() => string>([
    [5, () => r.pick(MALFORMED)],
    [3, () => {
      const text = toJsonText(randomObject(r, inputs, 2));
      return text.slice(0, r.int(Math.max(1, text.length)));
    }],
    [2, () => {
      const depth = r.pick([50, 99, 100, 101, 150, 1000]);
      const open = r.chance(0.5) ? '{"a":' : '[';
      const close = open === '[' ? ']' : '}';
      return open.repeat(depth) + '1' + close.repeat(r.chance(0.8) ? depth : r.int(depth));
    }],
    [1, () => `{"a":"${'\\'.repeat(r.range(1, 5))}"}`],
    [1, () => '{' + Array.from({ length: r.range(100, 3000) }, (_, i) => `"k${i}":${i}`).join(',') + '}'],
    [1, () => '[' + '"s",'.repeat(r.range(10, 3000)) + '"s"]'],
  ])();
}

export function body(r: Prng, inputs: FuzzInputs, method: string): { kind: string; body?: Buffer } {
  const writes = method === 'POST' || method === 'PUT' || method === 'PATCH';
  if (!writes && r.chance(0.85)) return { kind: 'none' };
  const kind = r.weighted([
    [55, 'object'],
    [12, 'malformed'],
    [8, 'scalar'],
    [7, 'binary'],
    [6, 'empty'],
    [4, 'none'],
    [3, 'form'],
    [5, 'object-huge'],
  ] as const);
  switch (kind) {
    case 'none':
      return { kind };
    case 'empty':
      return { kind, body: Buffer.alloc(0) };
    case 'object':
      return { kind, body: Buffer.from(toJsonText(randomObject(r, inputs, 3)), 'utf8') };
    case 'object-huge': {
      const obj = randomObject(r, inputs, 1);
      obj[r.pick(FIELD_NAMES)] = 'H'.repeat(r.pick([100_000, 1_000_000]));
      return { kind, body: Buffer.from(toJsonText(obj), 'utf8') };
    }
    case 'malformed':
      return { kind, body: Buffer.from(malformed(r, inputs), 'utf8') };
    case 'scalar':
      return { kind, body: Buffer.from(r.pick(['[]', '[1,2]', '"str"', '123', 'true', 'false', 'null', '""', '[{"type":"kv"}]', '-0', '1e400', ' ', '\n']), 'utf8') };
    case 'binary':
      return { kind, body: r.bytes(r.range(1, 2000)) };
    case 'form':
      return { kind, body: Buffer.from(r.pick(['a=b&c=d', 'type=kv', 'policy=path+"x"+{}', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--']), 'utf8') };
  }
}
