import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blocks, HclError, HclSyntaxError, hclToObject, keyLine, lineOf, parseHcl, parseHclSyntax } from './index.js';

/** Asserts a syntax error at `line` whose message contains `fragment`. */
function syntaxError(text: string, line: number, fragment: string | RegExp) {
  assert.throws(
    () => parseHcl(text),
    (err: unknown) => {
      assert.ok(err instanceof HclSyntaxError, `expected HclSyntaxError, got ${String(err)}`);
      assert.equal(err.line, line, `line of: ${err.message}`);
      assert.match(err.message, new RegExp(`^line ${line}, column \\d+: `));
      assert.match(err.message, typeof fragment === 'string' ? new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : fragment);
      return true;
    },
  );
}

describe('HCL values', () => {
  it('parses strings with escapes', () => {
    const t = parseHcl(String.raw`a = "q\"b\\s\nn\tt\u00e9\U0001F600"`);
    assert.equal(t.a, 'q"b\\s\nn\tt\u00e9\u{1F600}');
  });

  it('parses numbers, booleans, lists and objects', () => {
    const t = parseHcl(`
      i = 42
      neg = -7
      f = 1.5
      e = 2e3
      h = 0x1F
      yes = true
      no = false
      l = ["a", 1,
        true,
      ]
      empty = []
      o = { k = "v", "quoted k" = 2
        nested = { deep = [1, [2]] } }
    `);
    assert.deepEqual(t, {
      i: 42,
      neg: -7,
      f: 1.5,
      e: 2000,
      h: 31,
      yes: true,
      no: false,
      l: ['a', 1, true],
      empty: [],
      o: { k: 'v', 'quoted k': 2, nested: { deep: [1, [2]] } },
    });
  });

  it('skips all three comment styles', () => {
    const t = parseHcl(`# hash\n// slashes\n/* block\n comment */ a = 1 /* inline */ # end\nb = "# not a comment"`);
    assert.deepEqual(t, { a: 1, b: '# not a comment' });
  });

  it('parses heredocs, plain and indented', () => {
    const t = parseHcl('a = <<EOF\nline 1\n  line 2\nEOF\nb = <<-EOT\n    x\n      y\n    EOT\nc = 1\n');
    assert.deepEqual(t, { a: 'line 1\n  line 2\n', b: 'x\n  y\n', c: 1 });
  });

  it('accepts items on one line, commas between items and a BOM', () => {
    assert.deepEqual(parseHcl('\uFEFFa = 1 b = "x", c = [1,]'), { a: 1, b: 'x', c: [1] });
  });
});

describe('HCL blocks', () => {
  it('reads a Vault server config', () => {
    const text = `
storage "sqlite" {
  path = "/var/lib/coffer/data.db"
}

listener "tcp" {
  address     = "127.0.0.1:8200"
  tls_disable = true
}

ui = true
default_lease_ttl = "768h"
`;
    const t = parseHcl(text);
    assert.deepEqual(t, {
      storage: { sqlite: { path: '/var/lib/coffer/data.db' } },
      listener: { tcp: { address: '127.0.0.1:8200', tls_disable: true } },
      ui: true,
      default_lease_ttl: '768h',
    });
    assert.deepEqual(blocks(t, 'listener'), [{ labels: ['tcp'], body: { address: '127.0.0.1:8200', tls_disable: true } }]);
    assert.deepEqual(blocks(t, 'seal'), []);
    assert.equal(keyLine(t, 'ui'), 11);
    assert.equal(lineOf(blocks(t, 'storage')[0]!.body), 2);
  });

  it('turns repeated keys and blocks into arrays, in order', () => {
    const t = parseHcl(`
      path "a" { capabilities = ["read"] }
      path "b" { capabilities = ["list"] }
      path "a" { capabilities = ["update"] }
      x = 1
      x = [2]
    `);
    assert.deepEqual(t.path, [
      { a: { capabilities: ['read'] } },
      { b: { capabilities: ['list'] } },
      { a: { capabilities: ['update'] } },
    ]);
    assert.deepEqual(t.x, [1, [2]]);
    assert.deepEqual(
      blocks(t, 'path').map((b) => b.labels[0]),
      ['a', 'b', 'a'],
    );
  });

  it('supports zero, one and several labels, bare or quoted', () => {
    const t = parseHcl('telemetry { a = 1 }\nseal transit { b = 2 }\nmulti "x" y { c = 3 }');
    assert.deepEqual(blocks(t, 'telemetry', 0), [{ labels: [], body: { a: 1 } }]);
    assert.deepEqual(blocks(t, 'seal'), [{ labels: ['transit'], body: { b: 2 } }]);
    assert.deepEqual(blocks(t, 'multi', 2), [{ labels: ['x', 'y'], body: { c: 3 } }]);
  });

  it('treats the JSON form like the HCL form', () => {
    const hcl = parseHcl('path "secret/*" { capabilities = ["read"] }\npath "kv/+" { capabilities = ["list"] }');
    const asObject = hclToObject('{"path": {"secret/*": {"capabilities": ["read"]}, "kv/+": {"capabilities": ["list"]}}}');
    const asList = hclToObject('  {"path": [{"secret/*": {"capabilities": ["read"]}}, {"kv/+": {"capabilities": ["list"]}}]}');
    const expected = [
      { labels: ['secret/*'], body: { capabilities: ['read'] } },
      { labels: ['kv/+'], body: { capabilities: ['list'] } },
    ];
    assert.deepEqual(blocks(hcl, 'path'), expected);
    assert.deepEqual(blocks(asObject, 'path'), expected);
    assert.deepEqual(blocks(asList, 'path'), expected);
  });

  it('keeps __proto__ and constructor as plain data', () => {
    const t = parseHcl('__proto__ = { polluted = true }\nconstructor = 1');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(t), Object.prototype);
    assert.deepEqual(Object.keys(t), ['__proto__', 'constructor']);
    assert.deepEqual(blocks(parseHcl('a = 1'), 'constructor'), []);
  });

  it('blocks() rejects a wrong shape with HclError', () => {
    assert.throws(() => blocks(parseHcl('path = "x"'), 'path'), (e: unknown) => e instanceof HclError && /must be a block/.test(e.message));
    assert.throws(() => blocks(parseHcl('path "a" { x = 1 }'), 'path', 2), HclError);
  });
});

describe('HCL syntax errors', () => {
  it('reports an unterminated string', () => syntaxError('a = 1\nb = "open\nc = 2', 2, 'unterminated string'));
  it('reports a missing }', () => syntaxError('a = 1\nlistener "tcp" {\n  address = "x"\n', 2, "missing '}'"));
  it('reports = =', () => syntaxError('\n\nkey = = 1', 3, "expected a value, found '='"));
  it('reports a missing ]', () => syntaxError('a = [1, 2', 1, "missing ']'"));
  it('reports a stray }', () => syntaxError('a = 1\n}', 2, "unexpected '}'"));
  it('reports an unquoted string value', () => syntaxError('a = hello', 1, 'must be quoted'));
  it('reports a bad escape', () => syntaxError('a = "\\q"', 1, 'invalid escape'));
  it('reports a bad \\u escape', () => syntaxError('a = "\\u12"', 1, 'invalid \\u escape'));
  it('reports an unterminated comment', () => syntaxError('a = 1\n/* no end', 2, 'unterminated /* comment'));
  it('reports an unterminated heredoc', () => syntaxError('a = <<EOF\ntext\n', 1, 'unterminated heredoc'));
  it('reports an unquoted duration', () => syntaxError('ttl = 10s', 1, 'must be quoted'));
  it('reports a list without commas', () => syntaxError('a = [1 2]', 1, "expected ',' or ']'"));
  it('reports a key without value', () => syntaxError('a\n', 2, "expected '=' or '{'"));
  it('reports a colon', () => syntaxError('a: 1', 1, "unexpected ':'"));
  it('reports a missing key', () => syntaxError('= 1', 1, 'expected a key'));

  it('refuses deep nesting', () => {
    syntaxError('a = ' + '['.repeat(100) + ']'.repeat(100), 1, 'deeper than the limit of 64');
    syntaxError('a ' + '{ b '.repeat(70) + '= 1' + ' }'.repeat(70), 1, 'deeper than the limit');
    assert.doesNotThrow(() => parseHcl('a = ' + '['.repeat(60) + ']'.repeat(60)));
    assert.throws(() => parseHcl('{"a":' + '['.repeat(100) + ']'.repeat(100) + '}'), /deeper than the limit/);
    assert.throws(() => parseHcl('a = [[[1]]]', { maxDepth: 3 }), HclSyntaxError);
  });

  it('refuses input over the size limit', () => {
    assert.throws(() => parseHcl('a = "' + 'x'.repeat(2000) + '"', { maxBytes: 1000 }), /larger than the limit of 1000 bytes/);
    assert.throws(() => hclToObject('{"a": "' + 'x'.repeat(2000) + '"}', { maxBytes: 1000 }), HclSyntaxError);
  });

  it('never echoes long input', () => {
    const long = 'z'.repeat(5000);
    for (const text of [`a = ${long}`, `a = "${long}`, `${long} ]`, `{"a": ${long}}`]) {
      assert.throws(
        () => parseHcl(text),
        (e: unknown) => e instanceof HclSyntaxError && e.message.length < 200,
      );
    }
  });

  it('reports invalid JSON with a position', () => {
    assert.throws(
      () => hclToObject('{\n  "a": 1,\n  "b": }'),
      (e: unknown) => e instanceof HclSyntaxError && e.line === 3 && /invalid JSON/.test(e.message),
    );
    assert.throws(() => hclToObject('{"a": 1'), HclSyntaxError);
  });

  it('parseHclSyntax does not take JSON', () => {
    assert.throws(() => parseHclSyntax('{"a": 1}'), HclSyntaxError);
  });
});
