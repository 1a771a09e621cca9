import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError } from '../../errors.js';
import { parseDeviceOptions } from './device-options.js';

function refuses(type: string, options: Record<string, string>, pattern: RegExp) {
  assert.throws(
    () => parseDeviceOptions(type, options),
    (err: unknown) => err instanceof CofferError && err.status === 400 && pattern.test(err.message),
    `${type} ${JSON.stringify(options)}`,
  );
}

describe('audit device options', () => {
  it('file: defaults are json, hashed, accessors hashed, mode 0600', () => {
    const c = parseDeviceOptions('file', { file_path: '/var/log/coffer/audit.log' });
    assert.deepEqual(c, {
      type: 'file',
      entry: { logRaw: false, hmacAccessor: true, prefix: '', elideListResponses: false },
      destination: { kind: 'path', path: '/var/log/coffer/audit.log', mode: 0o600 },
    });
  });

  it('file: stdout and discard, the old "path" name, booleans as Go spells them', () => {
    assert.deepEqual(parseDeviceOptions('file', { file_path: 'stdout' }), {
      type: 'file',
      entry: { logRaw: false, hmacAccessor: true, prefix: '', elideListResponses: false },
      destination: { kind: 'stdout' },
    });
    const c = parseDeviceOptions('file', { path: 'discard', log_raw: 'T', hmac_accessor: '0', elide_list_responses: 'TRUE', prefix: 'coffer: ', format: 'json' });
    assert.deepEqual(c.entry, { logRaw: true, hmacAccessor: false, prefix: 'coffer: ', elideListResponses: true });
  });

  it('file: mode is octal; "0000" leaves the mode alone; execute bits are dropped', () => {
    const mode = (m: string) => {
      const c = parseDeviceOptions('file', { file_path: '/tmp/a.log', mode: m });
      return c.type === 'file' && c.destination.kind === 'path' ? c.destination.mode : undefined;
    };
    assert.equal(mode('0640'), 0o640);
    assert.equal(mode('644'), 0o644);
    assert.equal(mode('0000'), null);
    assert.equal(mode('0777'), 0o666);
  });

  it('refuses bad options by name', () => {
    refuses('file', {}, /file_path/);
    refuses('file', { file_path: 'relative/audit.log' }, /"file_path".*absolute/);
    refuses('file', { file_path: '/a', mode: 'rw-------' }, /"mode"/);
    refuses('file', { file_path: '/a', mode: '01777' }, /"mode"/);
    refuses('file', { file_path: '/a', format: 'jsonx' }, /"format".*json/);
    refuses('file', { file_path: '/a', log_raw: 'yes' }, /"log_raw"/);
    refuses('file', { file_path: '/a', prefix: 'a\nb' }, /"prefix"/);
    refuses('file', { file_path: '/a', adress: 'x' }, /unknown option "adress"/);
    refuses('file', { file_path: '/a', path: '/b' }, /"path"/);
    refuses('socket', {}, /"address"/);
    refuses('socket', { address: 'localhost' }, /"address".*host:port/);
    refuses('socket', { address: '127.0.0.1:99999' }, /"address"/);
    refuses('socket', { address: '127.0.0.1:9090', socket_type: 'udp' }, /"socket_type"/);
    refuses('socket', { address: 'relative.sock', socket_type: 'unix' }, /"address".*absolute/);
    refuses('socket', { address: '127.0.0.1:9090', write_timeout: 'soon' }, /"write_timeout"/);
    refuses('socket', { address: '127.0.0.1:9090', write_timeout: '100ms' }, /"write_timeout"/);
    refuses('syslog', { facility: 'LOCAL9' }, /"facility"/);
    refuses('syslog', { tag: 'two words' }, /"tag"/);
    refuses('syslog', { address: '[not-v6]:514' }, /"address"/);
    refuses('kafka', {}, /unknown audit device type "kafka"/);
  });

  it('socket: tcp host:port (IPv6 in brackets) or a unix path; write_timeout as a duration', () => {
    assert.deepEqual(parseDeviceOptions('socket', { address: '[::1]:9090' }), {
      type: 'socket',
      entry: { logRaw: false, hmacAccessor: true, prefix: '', elideListResponses: false },
      target: { kind: 'tcp', host: '::1', port: 9090 },
      timeoutMs: 2000,
    });
    const unix = parseDeviceOptions('socket', { address: '/run/audit.sock', socket_type: 'unix', write_timeout: '0' });
    assert.ok(unix.type === 'socket');
    assert.deepEqual(unix.target, { kind: 'unix', path: '/run/audit.sock' });
    assert.equal(unix.timeoutMs, 0);
  });

  it('syslog: AUTH and coffer by default, to 127.0.0.1:514; facility names in any case', () => {
    const c = parseDeviceOptions('syslog', {});
    assert.ok(c.type === 'syslog');
    assert.deepEqual(c.target, { host: '127.0.0.1', port: 514, facility: 4, tag: 'coffer' });
    const d = parseDeviceOptions('syslog', { facility: 'local7', tag: 'vault', address: 'localhost:5514' });
    assert.ok(d.type === 'syslog');
    assert.deepEqual(d.target, { host: 'localhost', port: 5514, facility: 23, tag: 'vault' });
  });
});
