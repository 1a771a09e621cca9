/** The audit settings of a configuration file: audit stanzas, the API switch, prefixes, the old name. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from './config-file.js';

const BASE = 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = true\n}\n';
const parse = (text: string) => parseConfigText(BASE + text, 'coffer.hcl', {});
const refuses = (text: string, pattern: RegExp) =>
  assert.throws(() => parse(text), (err: Error) => {
    assert.match(err.message, /^coffer\.hcl: /);
    assert.match(err.message, pattern);
    return true;
  }, `accepted: ${text}`);

describe('audit stanzas', () => {
  it('reads type, path, description, options (block or object, values as strings) and local, in file order', () => {
    const c = parse(`
audit "file" "b" {
  description = "second"
  options { file_path = "/var/log/b.log"
            log_raw = true }
}
audit "file" "a/x" {
  options = { file_path = "stdout", hmac_accessor = false }
  local = "true"
}
`);
    assert.deepEqual(c.audits, [
      { path: 'b/', type: 'file', description: 'second', options: { file_path: '/var/log/b.log', log_raw: 'true' }, local: false },
      { path: 'a/x/', type: 'file', description: '', options: { file_path: 'stdout', hmac_accessor: 'false' }, local: true },
    ]);
  });

  it('takes the JSON form of OpenBao\'s documentation', () => {
    const c = parseConfigText(
      JSON.stringify({ storage: { inmem: {} }, listener: { tcp: { tls_disable: true } }, audit: [{ file: { 'to-stdout': { description: 'stdout', options: { file_path: 'stdout' } } } }] }),
      'coffer.json',
      {},
    );
    assert.deepEqual(c.audits, [{ path: 'to-stdout/', type: 'file', description: 'stdout', options: { file_path: 'stdout' }, local: false }]);
  });

  it('refuses, naming the stanza: an unknown type or option, a bad value, a bad path, an unknown setting', () => {
    refuses('audit "kafka" "k" {}\n', /audit "kafka" "k": unknown audit device type "kafka"/);
    refuses('audit "file" "f" {\n  options { file_path = "/x.log"\n flie = 1 }\n}\n', /audit "file" "f": unknown option "flie"/);
    refuses('audit "file" "f" {\n  options { file_path = "relative.log" }\n}\n', /audit "file" "f": .*"file_path".*absolute/);
    refuses('audit "file" "f" {}\n', /audit "file" "f": .*needs the "file_path" option/);
    refuses('audit "file" "a*b" {\n  options { file_path = "stdout" }\n}\n', /audit "file" "a\*b": invalid audit device path/);
    refuses('audit "file" "f" {\n  option { file_path = "stdout" }\n}\n', /audit "file" "f": unknown setting "option"/);
    refuses('audit "file" "f" {\n  description = ["x"]\n  options { file_path = "stdout" }\n}\n', /audit "file" "f": "description"/);
    refuses('audit "file" "f" {\n  local = "sometimes"\n  options { file_path = "stdout" }\n}\n', /local/);
    refuses('audit "file" {\n  options { file_path = "stdout" }\n}\n', /takes two labels: audit "<type>" "<path>"/);
  });

  it('refuses two stanzas at one path, or one below another', () => {
    const f = (path: string) => `audit "file" "${path}" {\n  options { file_path = "stdout" }\n}\n`;
    refuses(f('a') + f('a/'), /audit "file" "a\/": its path clashes with the audit stanza at "a\/"/);
    refuses(f('a') + f('a/b'), /clashes/);
  });

  it('refuses a prefix unless allow_audit_log_prefixing = true', () => {
    const stanza = 'audit "file" "p" {\n  options { file_path = "stdout"\n prefix = "X " }\n}\n';
    refuses(stanza, /audit "file" "p": the "prefix" option needs allow_audit_log_prefixing = true/);
    assert.equal(parse(`${stanza}allow_audit_log_prefixing = true\n`).audits[0]!.options.prefix, 'X ');
  });
});

describe('enabling audit devices through the API', () => {
  it('is off unless unsafe_allow_api_audit_creation = true', () => {
    assert.equal(parse('').unsafeAllowApiAuditCreation, false);
    assert.equal(parse('unsafe_allow_api_audit_creation = true\n').unsafeAllowApiAuditCreation, true);
  });

  it('still reads disable_api_audit_creation = true (the default now), and refuses = false, which no longer turns it on', () => {
    assert.equal(parse('disable_api_audit_creation = true\n').unsafeAllowApiAuditCreation, false);
    refuses('disable_api_audit_creation = false\n', /no longer turns on .*unsafe_allow_api_audit_creation = true/);
    refuses('disable_api_audit_creation = true\nunsafe_allow_api_audit_creation = true\n', /contradict/);
  });
});
