import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveClientOptions, resolveToken } from '../../src/cli/config.js';
import type { CliIo } from '../../src/cli/context.js';
import { parseFlags, UsageError } from '../../src/cli/flags.js';
import { addPrefixToKvPath, headerForMap, joinPath, padEqualSigns } from '../../src/cli/commands/kv/kv-paths.js';
import { decodeRootToken, generateOtp } from '../../src/cli/commands/operator/otp.js';
import { rfc822 } from '../../src/cli/commands/operator/key-status.js';
import { parseKvArgs } from '../../src/cli/kv-args.js';
import { readLine } from '../../src/cli/prompt.js';
import { secretJson, sortKeys } from '../../src/cli/output/json.js';
import { columns, goValue, humanDuration, listTable, mapTable, secretTable, table } from '../../src/cli/output/table.js';
import { toYaml } from '../../src/cli/output/yaml.js';
import { readStoredToken, storeToken, tokenFilePath } from '../../src/cli/token-file.js';
import { tempDir } from './run-cli.js';

function ioWith(stdin: string, env: NodeJS.ProcessEnv = {}): CliIo {
  return { stdin: Readable.from([stdin]), stdout: new PassThrough(), stderr: new PassThrough(), env };
}

describe('table output', () => {
  it('pads every column but the last, joins with four spaces and shows empty cells as n/a', () => {
    assert.equal(columns([['a', 'bb', 'c'], ['ccc', '', 'x']]), 'a      bb     c\nccc    n/a    x');
  });

  it('underlines the header row with dashes of each header\'s width', () => {
    assert.equal(table(['Key', 'Value'], [['foo', 'bar']]), 'Key    Value\n---    -----\nfoo    bar');
  });

  it('prints values as Go prints decoded JSON', () => {
    assert.equal(goValue(null), '<nil>');
    assert.equal(goValue(['a', 1, true]), '[a 1 true]');
    assert.equal(goValue({ z: 1, a: { b: 'c' } }), 'map[a:map[b:c] z:1]');
  });

  it('writes durations without zero parts, as the Vault CLI does', () => {
    assert.deepEqual([0, 45, 60, 90, 3600, 3601, 3660, 2764800].map(humanDuration), ['0s', '45s', '1m', '1m30s', '1h', '1h1s', '1h1m', '768h']);
  });

  it('shows a secret with refresh_interval, sorted data keys and TTL-looking keys as durations', () => {
    const text = secretTable({ lease_id: '', lease_duration: 3600, data: { zeta: 'z', alpha: '', max_ttl: 90 } });
    assert.equal(text, ['Key                 Value', '---                 -----', 'refresh_interval    1h', 'alpha               n/a', 'max_ttl             1m30s', 'zeta                z'].join('\n'));
  });

  it('shows an auth block as token rows, with ∞ for a token without TTL', () => {
    const text = secretTable({ auth: { client_token: 't', accessor: 'a', lease_duration: 0, renewable: false, policies: ['root'], token_policies: ['root'], identity_policies: [] } });
    assert.match(text, /^token_duration\s+∞$/m);
    assert.match(text, /^token_policies\s+\["root"\]$/m);
    assert.match(text, /^identity_policies\s+\[\]$/m);
  });

  it('lists keys sorted under a Keys header; maps as sorted Key/Value rows', () => {
    assert.equal(listTable(['b/', 'a']), 'Keys\n----\na\nb/');
    assert.equal(mapTable({ b: 2, a: 'x' }), 'Key    Value\n---    -----\na      x\nb      2');
    assert.equal(mapTable({}), '');
  });
});

describe('JSON and YAML output', () => {
  it('keeps the secret envelope order and sorts map keys', () => {
    const out = secretJson({ data: { b: 1, a: { d: 1, c: 2 } }, request_id: 'r', auth: null, mount_type: 'kv' });
    assert.deepEqual(Object.keys(out), ['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings', 'mount_type']);
    assert.deepEqual(JSON.stringify(sortKeys({ b: 1, a: { d: 1, c: 2 } })), '{"a":{"c":2,"d":1},"b":1}');
  });

  it('emits YAML with sorted keys, unindented sequences and quoted ambiguous strings', () => {
    const yaml = toYaml({ z: ['a', 'b'], a: { m: 1, n: 'x', s: '', t: 'true', num: '1', ok: 'plain text', colon: 'a: b' }, nul: null, empty: [], obj: {} });
    assert.equal(
      yaml,
      [
        'a:',
        '  colon: "a: b"',
        '  m: 1',
        '  "n": x',
        '  num: "1"',
        '  ok: plain text',
        '  s: ""',
        '  t: "true"',
        'empty: []',
        'nul: null',
        'obj: {}',
        'z:',
        '- a',
        '- b',
      ].join('\n'),
    );
  });

  it('emits multi-line strings as literal blocks and maps inside lists inline with the dash', () => {
    assert.equal(toYaml({ policy: 'path "x" {\n  capabilities = ["read"]\n}\n' }), 'policy: |\n  path "x" {\n    capabilities = ["read"]\n  }');
    assert.equal(toYaml({ policy: 'a\nb' }), 'policy: |-\n  a\n  b');
    assert.equal(toYaml([{ b: 1, a: 2 }, 'x']), '- a: 2\n  b: 1\n- x');
    assert.equal(toYaml('- leading dash'), '"- leading dash"');
  });
});

describe('flags', () => {
  it('takes aliases, Go durations and repeated values', () => {
    const spec = {
      'key-shares': { type: 'int' as const, default: 5, aliases: ['n'] },
      ttl: { type: 'duration' as const },
      policy: { type: 'string' as const, repeatable: true },
    };
    const { flags, args } = parseFlags(['-n=3', '-ttl', '1h30m', '-policy=a', 'x', '--policy', 'b', '--', '-n'], spec);
    assert.deepEqual(flags, { 'key-shares': 3, ttl: '1h30m', policy: ['a', 'b'] });
    assert.deepEqual(args, ['x', '-n']);
  });

  it('refuses an unknown flag, a bad integer and a bad duration', () => {
    assert.throws(() => parseFlags(['-nope'], {}), UsageError);
    assert.throws(() => parseFlags(['-n=x'], { n: { type: 'int' } }), /expected an integer/);
    assert.throws(() => parseFlags(['-ttl=soon'], { ttl: { type: 'duration' } }), /expected a duration/);
  });
});

describe('key=value arguments', () => {
  it('reads literal values, @files, escaped @, stdin, and repeats keys into lists', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'pw.txt'), 'from-file\n');
    const data = await parseKvArgs(ioWith('from-stdin'), ['a=1', `b=@${join(dir, 'pw.txt')}`, 'c=\\@literal', 'd=-', 'e=x', 'e=y', 'eq=a=b']);
    assert.deepEqual(data, { a: '1', b: 'from-file\n', c: '@literal', d: 'from-stdin', e: ['x', 'y'], eq: 'a=b' });
  });

  it('merges a JSON object from stdin (-) or a file (@file)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'd.json'), '{"n": 2, "nested": {"x": true}}');
    assert.deepEqual(await parseKvArgs(ioWith('{"a": "b", "n": 1}'), ['-', 'c=d']), { a: 'b', n: 1, c: 'd' });
    assert.deepEqual(await parseKvArgs(ioWith(''), [`@${join(dir, 'd.json')}`]), { n: 2, nested: { x: true } });
  });

  it('refuses a bare word, stdin used twice, and stdin that is not a JSON object', async () => {
    await assert.rejects(parseKvArgs(ioWith(''), ['novalue']), UsageError);
    await assert.rejects(parseKvArgs(ioWith('x'), ['a=-', 'b=-']), /stdin already consumed/);
    await assert.rejects(parseKvArgs(ioWith('[1]'), ['-']), /JSON object/);
  });

  it('reads only the first line of piped stdin for prompts', async () => {
    assert.equal(await readLine(ioWith('first\r\nsecond\n')), 'first');
    assert.equal(await readLine(ioWith('no newline')), 'no newline');
  });
});

describe('KV path helpers', () => {
  it('puts the API prefix after the mount path, as Vault\'s CLI does', () => {
    assert.equal(addPrefixToKvPath('secret/foo/bar', 'secret/', 'data'), 'secret/data/foo/bar');
    assert.equal(addPrefixToKvPath('secret', 'secret/', 'metadata'), 'secret/metadata');
    assert.equal(addPrefixToKvPath('team/kv/x', 'team/kv/', 'delete'), 'team/kv/delete/x');
    assert.equal(addPrefixToKvPath('secret/metadata/x', 'secret/', 'metadata', true), 'secret/metadata/x');
    assert.equal(joinPath('a/', '', 'b//c/'), 'a/b/c');
  });

  it('centres headers with equal signs', () => {
    assert.equal(padEqualSigns('Data', 10), '== Data ==');
    assert.equal(padEqualSigns('Secret Path', 11), '== Secret Path ==');
    assert.equal(headerForMap('Metadata', { created_time: 1 }), '====== Metadata ======');
  });

  it('formats times as Go\'s RFC 822 layout in UTC', () => {
    assert.equal(rfc822('2024-03-05T07:08:09Z'), '05 Mar 24 07:08 UTC');
  });
});

describe('generate-root OTP decoding', () => {
  it('XORs the unpadded base64 token with the OTP', () => {
    const token = 'hvs.ABCDEFGHIJKLMNOPQRSTUVWX';
    const otp = generateOtp(token.length);
    assert.match(otp, /^[A-Za-z0-9]{28}$/);
    const x = Buffer.from(token);
    const p = Buffer.from(otp);
    for (let i = 0; i < x.length; i++) x[i]! ^= p[i]!;
    const encoded = x.toString('base64').replace(/=+$/, '');
    assert.equal(decodeRootToken(encoded, otp), token);
    assert.throws(() => decodeRootToken(encoded, otp.slice(1)), /must match/);
    assert.throws(() => decodeRootToken('not base64!', otp), /not valid base64/);
  });
});

describe('address and token resolution', () => {
  it('prefers flags, then COFFER_*, then VAULT_*, then the plain-HTTP default', () => {
    assert.equal(resolveClientOptions({ VAULT_ADDR: 'http://v:1', COFFER_ADDR: 'http://c:1' }, { address: 'http://f:1' }).address, 'http://f:1');
    assert.equal(resolveClientOptions({ VAULT_ADDR: 'http://v:1', COFFER_ADDR: 'http://c:1' }, {}).address, 'http://c:1');
    assert.equal(resolveClientOptions({ VAULT_ADDR: 'http://v:1' }, {}).address, 'http://v:1');
    assert.equal(resolveClientOptions({ HOME: tempDir() }, {}).address, 'http://127.0.0.1:8200');
    assert.throws(() => resolveClientOptions({}, { address: 'ftp://x' }), /invalid address/);
  });

  it('takes the token from COFFER_TOKEN, VAULT_TOKEN, ~/.coffer-token, then ~/.vault-token', () => {
    const home = tempDir();
    mkdirSync(home, { recursive: true });
    assert.equal(resolveToken({ HOME: home }), undefined);
    writeFileSync(join(home, '.vault-token'), 'from-vault-file\n');
    assert.equal(readStoredToken({ HOME: home }), 'from-vault-file');
    storeToken({ HOME: home }, 'from-coffer-file');
    assert.equal(tokenFilePath({ HOME: home }), join(home, '.coffer-token'));
    assert.equal(resolveToken({ HOME: home }), 'from-coffer-file');
    assert.equal(resolveToken({ HOME: home, VAULT_TOKEN: 'v' }), 'v');
    assert.equal(resolveToken({ HOME: home, VAULT_TOKEN: 'v', COFFER_TOKEN: 'c' }), 'c');
  });

  it('turns CA settings into TLS options and refuses an unreadable CA file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    const opts = resolveClientOptions({ VAULT_CACERT: join(dir, 'ca.pem'), HOME: dir }, {});
    assert.deepEqual(opts.tls?.ca, [Buffer.from('PEM')]);
    assert.equal(resolveClientOptions({ HOME: dir }, {}).tls, undefined);
    assert.equal(resolveClientOptions({ HOME: dir, VAULT_SKIP_VERIFY: 'true' }, {}).tls?.skipVerify, true);
    assert.throws(() => resolveClientOptions({ COFFER_CACERT: join(dir, 'missing.pem') }, {}), /Error loading CA/);
  });
});
