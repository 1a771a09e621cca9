/**
 * Raw-socket fuzz cases: malformed request lines, bad header syntax, absurd lengths,
 * truncated bodies, LIST with garbage, pipelining, and random mutations of valid requests.
 * None names `sys/seal` or revokes anything: they may run while the server holds state the
 * final check reads.
 */
import type { Prng } from './prng.js';

export interface RawCase {
  name: string;
  parts: (string | Buffer)[];
  /** Milliseconds between parts (a request split across packets). */
  gapMs?: number;
  /** When set, exactly this many answers must come back (well-formed pipelines). */
  expectAnswers?: number;
}

const CRLF = '\r\n';

export function rawCases(r: Prng, rootToken: string, count: number): RawCase[] {
  const tok = `X-Vault-Token: ${rootToken}`;
  const get = (path: string, extra: string[] = []) => [`GET /v1/${path} HTTP/1.1`, 'Host: x', tok, ...extra].join(CRLF) + CRLF + CRLF;
  const put = (path: string, body: string, extra: string[] = []) =>
    [`PUT /v1/${path} HTTP/1.1`, 'Host: x', tok, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, ...extra].join(CRLF) + CRLF + CRLF + body;
  const withBody = (line: string, headers: string[], body: string) => [line, 'Host: x', tok, ...headers].join(CRLF) + CRLF + CRLF + body;
  const safePath = () => r.pick(['sys/health', 'sys/seal-status', 'cubbyhole/raw', 'secret/raw', 'sys/mounts', 'auth/token/lookup-self', 'sys/policy', 'nope/x']);

  const requestLines: (() => RawCase)[] = [
    () => ({ name: 'method only', parts: ['GET' + CRLF + CRLF] }),
    () => ({ name: 'HTTP/0.9 line', parts: [`GET /v1/sys/health${CRLF}${CRLF}`] }),
    () => ({ name: 'extra token in request line', parts: [`GET /v1/sys/health HTTP/1.1 extra${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'empty lines only', parts: [CRLF.repeat(r.range(1, 50))] }),
    () => ({ name: 'double spaces', parts: [`GET  /v1/sys/health  HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'HTTP/2.0 line', parts: [`GET /v1/sys/health HTTP/2.0${CRLF}${CRLF}`] }),
    () => ({ name: 'HTTP/1.2', parts: [`GET /v1/sys/health HTTP/1.2${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'HTTP/9', parts: [`GET /v1/sys/health HTTP/9${CRLF}${CRLF}`] }),
    () => ({ name: 'NUL in method', parts: [`G\u0000T /v1/sys/health HTTP/1.1${CRLF}${CRLF}`] }),
    () => ({ name: 'lower-case method', parts: [`get /v1/sys/health HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'huge method', parts: [`${'A'.repeat(r.pick([100, 5000, 70000]))} /v1/sys/health HTTP/1.1${CRLF}${CRLF}`] }),
    () => ({ name: 'tab separator', parts: [`GET\t/v1/sys/health\tHTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'no leading slash', parts: [`GET v1/sys/health HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'absolute form', parts: [`GET http://x/v1/sys/health HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'asterisk form', parts: [`OPTIONS * HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'random bytes', parts: [Buffer.from(Array.from({ length: r.range(1, 3000) }, () => r.int(256)))] }),
    () => ({ name: 'TLS hello on a plain port', parts: [Buffer.from('16030100a5010000a10303' + '00'.repeat(60), 'hex')] }),
    () => ({ name: 'HTTP/2 preface', parts: [`PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`] }),
    () => ({ name: 'bare LF line endings', parts: [`GET /v1/sys/health HTTP/1.1\nHost: x\n\n`] }),
    () => ({ name: 'bare CR line endings', parts: [`GET /v1/sys/health HTTP/1.1\rHost: x\r\r`] }),
    () => ({ name: 'DEL in path', parts: [`GET /v1/\u007fsys HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'raw UTF-8 in path', parts: [Buffer.concat([Buffer.from('GET /v1/cubbyhole/'), Buffer.from('€ü\u{1F600}', 'utf8'), Buffer.from(` HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`)])] }),
    () => ({ name: 'invalid UTF-8 in path', parts: [Buffer.concat([Buffer.from('GET /v1/cubbyhole/'), Buffer.from([0xc0, 0xae, 0xff, 0xfe]), Buffer.from(` HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`)])] }),
    () => ({ name: 'space in path', parts: [`GET /v1/a b HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'CONNECT', parts: [`CONNECT example.com:443 HTTP/1.1${CRLF}Host: example.com:443${CRLF}${CRLF}`] }),
    () => ({ name: 'unknown method', parts: [`${r.pick(['FROB', 'BREW', 'XLIST', 'LISTS', 'L1ST'])} /v1/sys/health HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'dot segments', parts: [get(r.pick(['cubbyhole/../sys/mounts', 'cubbyhole/%2e%2e/sys/mounts', 'cubbyhole//a', 'cubbyhole/./a', '%2e%2e', '..']))] }),
    () => ({ name: 'bad percent escapes', parts: [get(r.pick(['cubbyhole/%zz', 'cubbyhole/%', 'cubbyhole/%2', 'cubbyhole/%ff%fe', 'cubbyhole/%00', 'cubbyhole/%c0%ae']))] }),
  ];

  const headerSyntax: (() => RawCase)[] = [
    () => ({ name: 'header without colon', parts: [`GET /v1/sys/health HTTP/1.1${CRLF}Host x${CRLF}${CRLF}`] }),
    () => ({ name: 'obs-fold', parts: [`GET /v1/sys/health HTTP/1.1${CRLF}Host: x${CRLF} folded: y${CRLF}${CRLF}`] }),
    () => ({ name: 'space in header name', parts: [`GET /v1/sys/health HTTP/1.1${CRLF}Host: x${CRLF}X y: z${CRLF}${CRLF}`] }),
    () => ({ name: 'space before colon', parts: [`GET /v1/sys/mounts HTTP/1.1${CRLF}Host: x${CRLF}X-Vault-Token : ${rootToken}${CRLF}${CRLF}`] }),
    () => ({ name: 'NUL in header value', parts: [`GET /v1/sys/mounts HTTP/1.1${CRLF}Host: x${CRLF}X-Vault-Token: ab\u0000cd${CRLF}${CRLF}`] }),
    () => ({ name: 'control char in header value', parts: [`GET /v1/sys/mounts HTTP/1.1${CRLF}Host: x${CRLF}X-Vault-Token: \u0001${CRLF}${CRLF}`] }),
    () => ({ name: 'high bytes in token', parts: [Buffer.concat([Buffer.from(`GET /v1/sys/mounts HTTP/1.1${CRLF}Host: x${CRLF}X-Vault-Token: `), Buffer.from('hvs.é€', 'utf8'), Buffer.from(CRLF + CRLF)])] }),
    () => ({ name: 'non-numeric Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Content-Length: abc'], '{}')] }),
    () => ({ name: 'conflicting Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Content-Length: 2', 'Content-Length: 3'], '{}x')] }),
    () => ({ name: 'listed Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Content-Length: 2, 2'], '{}')] }),
    () => ({ name: 'negative Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Content-Length: -1'], '{}')] }),
    () => ({ name: 'signed Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Content-Length: +2'], '{}')] }),
    () => ({ name: 'Transfer-Encoding and Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: chunked', 'Content-Length: 7'], `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)] }),
    () => ({ name: 'unknown Transfer-Encoding', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: gzip'], '{}')] }),
    () => ({ name: 'doubled chunked', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: chunked, chunked'], `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)] }),
    () => ({ name: 'bad chunk size', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: chunked'], `zz${CRLF}{}${CRLF}0${CRLF}${CRLF}`)] }),
    () => ({ name: 'huge chunk size', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: chunked'], `ffffffffffffffffff${CRLF}{}${CRLF}`)] }),
    () => ({ name: 'chunk extension junk', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: chunked'], `2;${'x'.repeat(r.pick([10, 20000]))}${CRLF}{}${CRLF}0${CRLF}${CRLF}`)] }),
    () => ({ name: 'Expect: 100-continue', parts: [put('cubbyhole/raw', '{"a":1}', ['Expect: 100-continue'])] }),
    () => ({ name: 'unknown Expect', parts: [put('cubbyhole/raw', '{"a":1}', ['Expect: teapot'])] }),
    () => ({ name: 'many headers', parts: [get('sys/health', Array.from({ length: r.pick([200, 2001]) }, (_, i) => `X-H${i}: v`))] }),
    () => ({ name: 'long header value', parts: [get('sys/health', [`X-Long: ${'v'.repeat(r.pick([8000, 15000, 17000, 70000]))}`])] }),
    () => ({ name: 'long token', parts: [get('sys/mounts', [`X-Vault-Token: ${'t'.repeat(r.pick([8000, 17000]))}`])] }),
    () => ({ name: 'upgrade request', parts: [get('sys/health', ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='])] }),
    () => ({ name: 'h2c upgrade', parts: [get('sys/health', ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQAAP__'])] }),
    () => ({ name: 'duplicate tokens', parts: [get('sys/mounts', [`X-Vault-Token: junk`, tok])] }),
    () => ({ name: 'no Host', parts: [`GET /v1/sys/health HTTP/1.1${CRLF}${CRLF}`] }),
    () => ({ name: 'HTTP/1.0 keep-alive', parts: [`GET /v1/sys/health HTTP/1.0${CRLF}Connection: keep-alive${CRLF}${CRLF}`] }),
  ];

  const lengths: (() => RawCase)[] = [
    () => ({ name: 'absurd Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', [`Content-Length: ${r.pick(['99999999999999999999999', '18446744073709551616', '9007199254740993', '1e9', '0x10', '4294967296'])}`], '{}')] }),
    () => ({ name: 'Content-Length over the limit', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', [`Content-Length: ${r.pick([33554433, 40000000, 2147483648])}`], '{"a":')] }),
    () => ({ name: 'truncated body', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', [`Content-Length: ${r.pick([100, 5000, 1000000])}`], '{"a":"' + 'x'.repeat(r.range(0, 50)))] }),
    () => ({ name: 'truncated chunked body', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Transfer-Encoding: chunked'], `10${CRLF}{"a":`)] }),
    () => ({ name: 'body longer than Content-Length', parts: [withBody('PUT /v1/cubbyhole/raw HTTP/1.1', ['Content-Length: 2'], '{}{"a":1}')] }),
    () => ({ name: 'Content-Length on GET', parts: [withBody('GET /v1/sys/health HTTP/1.1', ['Content-Length: 5'], 'hello')] }),
    () => ({ name: 'truncated head', parts: [`PUT /v1/cubbyhole/raw HTTP/1.1${CRLF}Host: x${CRLF}Content-Le`] }),
    () => ({ name: 'truncated request line', parts: [`PUT /v1/cubbyh`] }),
  ];

  const lists: (() => RawCase)[] = [
    () => ({ name: 'LIST alone', parts: [`LIST${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST without end of headers', parts: [`LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}`] }),
    () => ({ name: 'LIST bad escape', parts: [`LIST /v1/cubbyhole/%zz HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST double space', parts: [`LIST  /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST control char header', parts: [`LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}X: \u0001${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST with body', parts: [withBody('LIST /v1/cubbyhole/ HTTP/1.1', ['Content-Length: 7'], '{"a":1}')] }),
    () => ({ name: 'LIST chunked', parts: [withBody('LIST /v1/cubbyhole/ HTTP/1.1', ['Transfer-Encoding: chunked'], `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)] }),
    () => ({ name: 'LIST split across packets', parts: [`LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Ho`, `st: x${CRLF}${tok}${CRLF}${CRLF}`], gapMs: 30 }),
    () => ({ name: 'LIST HTTP/1.0', parts: [`LIST /v1/cubbyhole/ HTTP/1.0${CRLF}${tok}${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST list=false', parts: [`LIST /v1/cubbyhole/?list=false HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST with garbage path', parts: [`LIST /v1/${r.pick(['..', '%', '//', 'a b', '\u00e9', '?', '#', 'sys/mounts?list=%zz'])} HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST HTTP/2', parts: [`LIST /v1/cubbyhole/ HTTP/2.0${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST huge header', parts: [`LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}X-Big: ${'b'.repeat(r.pick([10000, 70000]))}${CRLF}${CRLF}`] }),
    () => ({ name: 'SCAN', parts: [`SCAN /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST then GET pipelined', parts: [`LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}` + get('sys/health')] }),
    () => ({ name: 'GET then LIST pipelined', parts: [get('sys/health') + `LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`] }),
    () => ({ name: 'LIST with random tail', parts: [Buffer.concat([Buffer.from(`LIST /v1/cubbyhole/ HTTP/1.1${CRLF}`), Buffer.from(Array.from({ length: r.range(1, 200) }, () => r.int(256)))])] }),
  ];

  const pipelines: (() => RawCase)[] = [
    () => {
      const n = r.range(2, 6);
      const reqs = Array.from({ length: n }, () =>
        r.chance(0.5) ? get(safePath()) : put(`cubbyhole/pipe${r.int(5)}`, JSON.stringify({ v: r.int(1000) })),
      );
      return { name: `pipeline of ${n}`, parts: [reqs.join('')], expectAnswers: n };
    },
    () => {
      const reqs = [get('sys/health'), `BROKEN LINE${CRLF}${CRLF}`, get('sys/health')];
      return { name: 'pipeline with a broken request', parts: [reqs.join('')] };
    },
    () => ({ name: 'pipeline split mid-request', parts: [get('sys/health') + get('sys/seal-status').slice(0, 20), get('sys/seal-status').slice(20)], gapMs: 20, expectAnswers: 2 }),
    () => ({ name: 'pipeline with truncated tail', parts: [get('sys/health') + put('cubbyhole/raw', '{"a":1}').slice(0, -3)] }),
  ];

  const valid = () => r.pick([get(safePath()), put('cubbyhole/raw', JSON.stringify({ a: 'b' })), `LIST /v1/cubbyhole/ HTTP/1.1${CRLF}Host: x${CRLF}${tok}${CRLF}${CRLF}`]);
  const mutate = (): RawCase => {
    const base = Buffer.from(valid(), 'latin1');
    const kind = r.pick(['flip', 'insert', 'cut', 'lf', 'dup-line', 'delete-range']);
    let out: Buffer = base;
    if (kind === 'flip') {
      out = Buffer.from(base);
      for (let i = 0; i < r.range(1, 4); i++) out[r.int(out.length)] = r.int(256);
    } else if (kind === 'insert') {
      const at = r.int(base.length);
      out = Buffer.concat([base.subarray(0, at), Buffer.from(Array.from({ length: r.range(1, 20) }, () => r.int(256))), base.subarray(at)]);
    } else if (kind === 'cut') {
      out = base.subarray(0, r.int(base.length));
    } else if (kind === 'lf') {
      out = Buffer.from(base.toString('latin1').replace(/\r\n/g, () => (r.chance(0.5) ? '\n' : '\r\n')), 'latin1');
    } else if (kind === 'dup-line') {
      const lines = base.toString('latin1').split(CRLF);
      const i = r.int(lines.length);
      lines.splice(i, 0, lines[i]!);
      out = Buffer.from(lines.join(CRLF), 'latin1');
    } else {
      const a = r.int(base.length);
      out = Buffer.concat([base.subarray(0, a), base.subarray(a + r.range(1, 10))]);
    }
    return { name: `mutated (${kind})`, parts: [out] };
  };

  const groups: [number, (() => RawCase)[]][] = [
    [3, requestLines],
    [3, headerSyntax],
    [2, lengths],
    [2, lists],
    [2, pipelines],
    [3, [mutate]],
  ];
  const cases: RawCase[] = [];
  // Every template once, then random picks.
  for (const [, templates] of groups) for (const t of templates) cases.push(t());
  while (cases.length < count) cases.push(r.pick(r.weighted(groups.map(([w, g]) => [w, g] as const)))());
  return cases;
}
