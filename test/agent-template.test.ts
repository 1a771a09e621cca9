/**
 * The agent's template language against Go's text/template semantics as consul-template
 * uses them: each row is a template, its data and the text Go would produce; then the
 * errors, each naming file:line:col.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, renderTemplate, TemplateError } from '../src/agent/template/index.js';

interface Row {
  name: string;
  tpl: string;
  data?: unknown;
  want: string;
}

const ROWS: Row[] = [
  { name: 'plain text passes through', tpl: 'hello\nworld', want: 'hello\nworld' },
  { name: 'string literal', tpl: '{{ "a" }}', want: 'a' },
  { name: 'trim markers eat whitespace and newlines on their side', tpl: 'a \n {{- "b" -}} \n c', want: 'abc' },
  { name: 'a dash without a space is a negative number, not a trim marker', tpl: '{{-3}}', want: '-3' },
  { name: 'trim after a newline keeps the next line', tpl: 'a\n{{- 1 }}\nb', want: 'a1\nb' },
  { name: 'comments print nothing', tpl: 'x{{/* a\ncomment */}}y', want: 'xy' },
  { name: 'comments with trim markers', tpl: ' a {{- /* c */ -}} b ', want: ' ab ' },
  { name: 'nested fields', tpl: '{{ .a.b }}', data: { a: { b: 1 } }, want: '1' },
  { name: 'a missing key prints <no value>', tpl: '{{ .nope }}', data: {}, want: '<no value>' },
  { name: 'root variable inside with', tpl: '{{ with .a }}{{ $.top }}{{ end }}', data: { a: 1, top: 'T' }, want: 'T' },
  { name: 'range over a map goes in key order', tpl: '{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}', data: { b: 2, a: 1, c: 3 }, want: 'a=1;b=2;c=3;' },
  { name: 'range over a map with one variable gives values', tpl: '{{ range $v := . }}{{ $v }}{{ end }}', data: { b: 2, a: 1 }, want: '12' },
  { name: 'range over a list with index', tpl: '{{ range $i, $e := .l }}{{ $i }}:{{ $e }} {{ end }}', data: { l: ['x', 'y'] }, want: '0:x 1:y ' },
  { name: 'range sets dot', tpl: '{{ range . }}{{ . }},{{ end }}', data: [1, 2], want: '1,2,' },
  { name: 'range else on an empty list', tpl: '{{ range . }}{{ . }}{{ else }}empty{{ end }}', data: [], want: 'empty' },
  { name: 'range else on nil', tpl: '{{ range .none }}x{{ else }}none{{ end }}', data: {}, want: 'none' },
  { name: 'range over an integer', tpl: '{{ range 3 }}{{ . }}{{ end }}', want: '012' },
  { name: 'break and continue', tpl: '{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}', data: [1, 2, 3, 4, 5], want: '13' },
  { name: 'if / else if / else', tpl: '{{ if eq .x "a" "b" }}ab{{ else if eq .x "c" }}c{{ else }}other{{ end }}', data: { x: 'c' }, want: 'c' },
  { name: 'eq is variadic', tpl: '{{ if eq .x "a" "b" }}ab{{ end }}', data: { x: 'b' }, want: 'ab' },
  { name: 'Go truthiness: 0, "", empty list and map are false', tpl: '{{ if 0 }}a{{ end }}{{ if "" }}b{{ end }}{{ if .l }}c{{ end }}{{ if .m }}d{{ end }}{{ if .t }}e{{ end }}', data: { l: [], m: {}, t: 'x' }, want: 'e' },
  { name: 'with sets dot; else when empty', tpl: '{{ with .user }}{{ .name }}{{ else }}anon{{ end }}|{{ with .none }}x{{ else }}anon{{ end }}', data: { user: { name: 'ann' } }, want: 'ann|anon' },
  { name: 'else with', tpl: '{{ with .a }}a{{ else with .b }}{{ . }}{{ end }}', data: { b: 'B' }, want: 'B' },
  { name: 'assignment reaches the outer variable', tpl: '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', want: '2' },
  { name: 'a variable declared in if shadows only inside it', tpl: '{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}', want: '21' },
  { name: 'declaration in an if condition', tpl: '{{ if $v := .a }}{{ $v }}{{ end }}', data: { a: 'A' }, want: 'A' },
  { name: 'printf verbs', tpl: '{{ printf "%s-%d-%05.2f-%q-%x-%v-%t-%X-%%" "a" 42 3.14159 "hi" 255 .l true "hi" }}', data: { l: [1, 2] }, want: 'a-42-03.14-"hi"-ff-[1 2]-true-6869-%' },
  { name: 'printf width and left-justify', tpl: '[{{ printf "%5s|%-5s|%3d" "ab" "cd" 7 }}]', want: '[   ab|cd   |  7]' },
  { name: 'printf reports wrong and missing arguments in-band', tpl: '{{ printf "%d %s" "x" }}', want: '%!d(string=x) %!s(MISSING)' },
  { name: '%v of a map is sorted', tpl: '{{ printf "%v" . }}', data: { b: 1, a: [true, 'x'] }, want: 'map[a:[true x] b:1]' },
  { name: 'print spaces operands that are not strings', tpl: '{{ print 1 2 "a" 3 "b" }}', want: '1 2a3b' },
  { name: 'println', tpl: '{{ println "a" 1 }}', want: 'a 1\n' },
  { name: 'pipelines pass the value last', tpl: '{{ "a,b,c" | split "," | join ";" }}', want: 'a;b;c' },
  { name: 'replaceAll old new s', tpl: '{{ replaceAll "-" "_" "a-b-c" }}', want: 'a_b_c' },
  { name: 'base64 round trip', tpl: '{{ "hello?" | base64Encode }} {{ "aGVsbG8/" | base64Decode }} {{ "hello?" | base64URLEncode }} {{ "aGVsbG8_" | base64URLDecode }}', want: 'aGVsbG8/ hello? aGVsbG8_ hello?' },
  { name: 'toJSON sorts keys and escapes HTML', tpl: '{{ toJSON . }}', data: { b: 1, a: '<x>&' }, want: '{"a":"\\u003cx\\u003e\\u0026","b":1}' },
  { name: 'toJSONPretty', tpl: '{{ toJSONPretty . }}', data: { b: [1], a: 'x' }, want: '{\n  "a": "x",\n  "b": [\n    1\n  ]\n}' },
  { name: 'toYAML', tpl: '{{ toYAML . }}', data: { user: 'app', port: 5432, tags: ['a', 'b'], nested: { on: 'true' } }, want: 'nested:\n  "on": "true"\nport: 5432\ntags:\n- a\n- b\nuser: app' },
  { name: 'parseJSON then fields', tpl: '{{ with parseJSON .raw }}{{ .a.b }}{{ end }}', data: { raw: '{"a":{"b":"deep"}}' }, want: 'deep' },
  { name: 'trimSpace, toLower, toUpper, toTitle', tpl: '{{ "  Ab  " | trimSpace | toLower }}{{ "x" | toUpper }}{{ "hello world" | toTitle }}', want: 'abXHello World' },
  { name: 'contains needle haystack, for strings and lists', tpl: '{{ if .tags | contains "prod" }}list{{ end }}{{ if contains "ell" "hello" }}str{{ end }}', data: { tags: ['dev', 'prod'] }, want: 'liststr' },
  { name: 'and / or return the deciding value', tpl: '{{ and 1 0 2 }}|{{ or 0 "" "x" }}|{{ not 0 }}', want: '0|x|true' },
  { name: 'and stops before an erroring argument', tpl: '{{ and false (index .l 9) }}', data: { l: [] }, want: 'false' },
  { name: 'len counts bytes of strings', tpl: '{{ len "héllo" }} {{ len .l }} {{ len .m }}', data: { l: [1, 2], m: { a: 1 } }, want: '6 2 1' },
  { name: 'index into maps and lists', tpl: '{{ index .m "k" }} {{ index .l 1 }} {{ index .n "a" 0 }}', data: { m: { k: 'v' }, l: ['a', 'b'], n: { a: ['deep'] } }, want: 'v b deep' },
  { name: 'parenthesized pipelines with a field chain', tpl: '{{ (index .m "k").x }}', data: { m: { k: { x: 'y' } } }, want: 'y' },
  { name: 'comparisons', tpl: '{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }} {{ ne "a" "b" }}', want: 'true true true false true' },
  { name: 'define and template', tpl: '{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "y" }}{{ template "x" }}', want: '[y][<no value>]' },
  { name: 'block renders its default body', tpl: '{{ block "b" . }}default {{ . }}{{ end }}', data: 'd', want: 'default d' },
  { name: 'Go string escapes', tpl: '{{ "a\\tb\\u00e9\\x41\\101\\"" }}', want: 'a\tbéAA"' },
  { name: 'raw strings keep backslashes', tpl: '{{ `a\\nb` }}', want: 'a\\nb' },
  { name: 'character constants are numbers', tpl: "{{ 'a' }}", want: '97' },
  { name: 'number forms', tpl: '{{ 0x10 }} {{ 1_000 }} {{ 1.5 }} {{ -2 }} {{ 017 }}', want: '16 1000 1.5 -2 15' },
  { name: 'nil as an argument', tpl: '{{ eq .missing nil }}', data: {}, want: 'true' },
  { name: 'math helpers take the piped value last', tpl: '{{ add 1 2 }} {{ 10 | subtract 3 }} {{ 7 | divide 2 }} {{ 7 | modulo 2 }} {{ multiply 3 4 }}', want: '3 7 3 1 12' },
  { name: 'loop', tpl: '{{ range loop 3 }}{{ . }}{{ end }}', want: '012' },
  { name: 'indent', tpl: '{{ indent 2 "a\\nb" }}', want: '  a\n  b' },
  { name: 'sha256Hex', tpl: '{{ sha256Hex "abc" }}', want: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { name: 'regexReplaceAll', tpl: '{{ regexReplaceAll "(\\\\w+)@(\\\\w+)" "${2}:${1}" "ann@host" }}', want: 'host:ann' },
  { name: 'regexMatch honours a leading RE2 (?i) flag group', tpl: '{{ regexMatch "(?i)^prod" "PRODUCTION" }} {{ regexMatch "^prod" "PRODUCTION" }}', want: 'true false' },
  { name: 'RE2 (?s) and (?m) flag groups, combined', tpl: '{{ regexMatch "(?s)a.b" "a\\nb" }} {{ regexReplaceAll "(?im)^x" "-" "X1\\nx2" }}', want: 'true -1\n-2' },
  { name: 'RE2 named groups (?P<name>)', tpl: '{{ regexReplaceAll "(?P<user>\\\\w+)@" "${user}:" "ann@host" }}', want: 'ann:host' },
  { name: 'unicode in text and data', tpl: 'é{{ .s }}✓', data: { s: '日本' }, want: 'é日本✓' },
];

describe('agent template language', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      assert.equal(await renderTemplate(row.tpl, row.data ?? null, { name: 't.ctmpl' }), row.want);
    });
  }

  it('uses custom delimiters and leaves {{ }} as text', async () => {
    const out = await renderTemplate('{{ x }} [[ .a ]] [[- " b" ]]', { a: 'A' }, { name: 't', leftDelimiter: '[[', rightDelimiter: ']]' });
    assert.equal(out, '{{ x }} A b');
  });

  it('reads env variables', async () => {
    process.env.COFFER_TEMPLATE_TEST = 'from-env';
    assert.equal(await renderTemplate('{{ env "COFFER_TEMPLATE_TEST" }}|{{ env "COFFER_NOT_SET_ANYWHERE" }}', null, { name: 't' }), 'from-env|');
  });

  it('calls async functions supplied by the renderer, in order', async () => {
    const calls: string[] = [];
    const tpl = compileTemplate('{{ with fetch "a" }}{{ .v }}{{ end }}-{{ fetch "b" | toJSON }}', { name: 't', extraFunctions: ['fetch'] });
    const fetch = { min: 1, max: 1, call: async (p: unknown) => (calls.push(String(p)), { v: `got ${String(p)}` }) };
    assert.equal(await tpl.render(null, { functions: { fetch } }), 'got a-{"v":"got b"}');
    assert.deepEqual(calls, ['a', 'b']);
  });

  it('renders the same compiled template many times with different data', async () => {
    const tpl = compileTemplate('{{ .n }}', { name: 't' });
    assert.equal(await tpl.render({ n: 1 }), '1');
    assert.equal(await tpl.render({ n: 2 }), '2');
  });
});

describe('agent template errors name file:line:col', () => {
  const ERRORS: { name: string; tpl: string; data?: unknown; missingKey?: boolean; message: string }[] = [
    { name: 'unknown function, at parse time', tpl: 'line one\n  {{ foo }}', message: 't.ctmpl:2:6: function "foo" not defined' },
    { name: 'undefined variable', tpl: '{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}', message: 't.ctmpl:1:39: undefined variable "$y"' },
    { name: 'missing end', tpl: '{{ if true }}x', message: 't.ctmpl:1:15: unexpected EOF' },
    { name: 'stray end', tpl: 'a\n{{ end }}', message: 't.ctmpl:2:1: unexpected {{end}}' },
    { name: 'stray else', tpl: '{{ else }}', message: 't.ctmpl:1:1: unexpected {{else}}' },
    { name: 'unclosed action', tpl: 'x {{ .a ', message: 't.ctmpl:1:3: unclosed action' },
    { name: 'unterminated string', tpl: '{{ "abc }}', message: 't.ctmpl:1:4: unterminated quoted string' },
    { name: 'bad escape', tpl: '{{ "\\q" }}', message: 't.ctmpl:1:4: invalid syntax: unknown escape \\q' },
    { name: 'break outside range', tpl: '{{ break }}', message: 't.ctmpl:1:4: {{break}} outside {{range}}' },
    { name: 'missing key with error_on_missing_key', tpl: '\n{{ .a.b }}', data: { a: {} }, missingKey: true, message: 't.ctmpl:2:4: map has no entry for key "b"' },
    { name: 'field of nil', tpl: '{{ .a.b }}', data: {}, message: 't.ctmpl:1:4: nil pointer evaluating interface {}.b' },
    { name: 'field of a string', tpl: '{{ .a.b }}', data: { a: 's' }, message: "t.ctmpl:1:4: can't evaluate field b in type string" },
    { name: 'index out of range', tpl: '{{ index .l 5 }}', data: { l: [1] }, message: 't.ctmpl:1:4: error calling index: index out of range: 5' },
    { name: 'wrong argument count', tpl: '{{ split "," }}', message: 't.ctmpl:1:4: wrong number of args for split: want 2 got 1' },
    { name: 'incomparable types', tpl: '{{ eq 1 "1" }}', message: 't.ctmpl:1:4: error calling eq: incompatible types for comparison' },
    { name: 'argument to a non-function', tpl: '{{ .a 1 }}', data: { a: 1 }, message: "t.ctmpl:1:4: can't give argument to non-function .a" },
    { name: 'unknown template', tpl: '{{ template "nope" }}', message: 't.ctmpl:1:4: no such template "nope"' },
    { name: 'range over a string', tpl: '{{ range "abc" }}{{ end }}', message: "t.ctmpl:1:4: range can't iterate over a value of type string" },
    { name: 'range over a huge integer from data fails instead of exhausting memory', tpl: '\n {{ range .n }}x{{ end }}', data: { n: 1e8 }, message: 't.ctmpl:2:5: range count exceeds the maximum of 1000000 iterations' },
    { name: 'loop with a huge count from data fails instead of exhausting memory', tpl: '{{ range loop .n }}x{{ end }}', data: { n: 1e8 }, message: 't.ctmpl:1:10: error calling loop: loop count exceeds the maximum of 1000000 iterations' },
    { name: 'loop from..to with a huge span fails too', tpl: '{{ range loop 5 .n }}x{{ end }}', data: { n: 1e12 }, message: 't.ctmpl:1:10: error calling loop: loop count exceeds the maximum of 1000000 iterations' },
    { name: 'rendered output over 64 MiB fails', tpl: '{{ range 65 }}{{ $.s }}{{ end }}', data: { s: 'x'.repeat(1024 * 1024) }, message: 't.ctmpl:1:15: rendered output exceeds the maximum size (67108864 bytes)' },
    { name: 'a regex that does not compile', tpl: '\n  {{ regexMatch "a(b" "ab" }}', message: 't.ctmpl:2:6: error calling regexMatch: invalid regular expression: Unterminated group' },
    { name: 'parse errors do not quote the value', tpl: '{{ parseBool "s3cret" }}', message: 't.ctmpl:1:4: error calling parseBool: strconv.ParseBool: invalid syntax' },
  ];
  for (const e of ERRORS) {
    it(e.name, async () => {
      await assert.rejects(
        () => renderTemplate(e.tpl, e.data ?? null, { name: 't.ctmpl', errorOnMissingKey: e.missingKey }),
        (err: unknown) => {
          assert.ok(err instanceof TemplateError, String(err));
          assert.equal(err.message, e.message);
          return true;
        },
      );
    });
  }

  it('without error_on_missing_key the same template renders <no value>', async () => {
    assert.equal(await renderTemplate('{{ .a.b }}', { a: {} }, { name: 't' }), '<no value>');
  });
});
