/** MySQL specifics: Go-style DSNs, and templating under MySQL's quoting (backslashes, backticks, `-- ` comments). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderStatement, splitStatements } from '../../sql/statements.js';
import { MYSQL_DIALECT, mysqlQuoting } from './dialect.js';
import { fillCredentials, parseMysqlDsn } from './dsn.js';

describe('MySQL connection strings', () => {
  it("reads Go's DSN form, TCP and unix socket, before credentials are filled in", () => {
    assert.deepEqual(parseMysqlDsn('{{username}}:{{password}}@tcp(db.example:3307)/app?tls=skip-verify'), {
      user: '{{username}}', password: '{{password}}', database: 'app', tls: 'skip-verify', host: 'db.example', port: 3307,
    });
    assert.deepEqual(parseMysqlDsn('root@unix(/run/mysqld.sock)/'), { user: 'root', password: '', database: undefined, socketPath: '/run/mysqld.sock' });
    assert.equal(parseMysqlDsn('u:p@tcp([::1])/').host, '::1');
    assert.equal(fillCredentials('{{password}}', 'u', 'a@b)/c$&'), 'a@b)/c$&');
  });

  it('honours tls and refuses parameters it does not know, rather than dropping them', () => {
    assert.equal(parseMysqlDsn('u:p@tcp(h:3306)/?tls=true').tls, 'verify');
    assert.equal(parseMysqlDsn('u:p@tcp(h:3306)/?tls=skip-verify&parseTime=true').tls, 'skip-verify');
    assert.equal(parseMysqlDsn('mysql://u:p@h/db?tls=true').tls, 'verify');
    assert.equal(parseMysqlDsn('u:p@tcp(h:3306)/?tls=false').tls, undefined);
    assert.throws(() => parseMysqlDsn('u:p@tcp(h:3306)/?tls=custom'), /tls=custom is not supported/);
    assert.throws(() => parseMysqlDsn('u:p@tcp(h:3306)/?serverPubKey=x'), /"serverPubKey" is not supported/);
  });

  it('reads mysql:// URLs and refuses anything else', () => {
    assert.deepEqual(parseMysqlDsn('mysql://{{username}}:{{password}}@h:3306/db'), { host: 'h', port: 3306, database: 'db', user: '{{username}}', password: '{{password}}' });
    assert.throws(() => parseMysqlDsn('postgresql://u@h/db'), /not a MySQL DSN/);
  });
});

describe('MySQL templating', () => {
  const render = (s: string, v: Record<string, string>) => renderStatement(s, v, mysqlQuoting);

  it('escapes backslashes and quotes in strings, backticks in identifiers', () => {
    assert.equal(
      render(`CREATE USER '{{name}}'@'%' IDENTIFIED BY "{{password}}"; GRANT x TO \`{{name}}\``, { name: `a'\\\``, password: `b"\\'` }),
      `CREATE USER 'a''\\\\\`'@'%' IDENTIFIED BY "b""\\\\'"; GRANT x TO \`a'\\\`\`\``,
    );
    assert.equal(render('GRANT x TO {{name}}@{{password}}', { name: 'a`b', password: "c'd" }), "GRANT x TO `a``b`@'c''d'");
  });

  it('takes -- as a comment only before whitespace, and # always', () => {
    assert.deepEqual(splitStatements('SELECT 1--1; SELECT 2 -- x; y\n; SELECT 3 # z; w\n', MYSQL_DIALECT), ['SELECT 1--1', 'SELECT 2 -- x; y', 'SELECT 3 # z; w']);
  });
});
