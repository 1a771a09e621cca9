/** Connection strings read back: a literal password is masked in URLs and in Go-style DSNs; templated ones are left as written. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrlPassword } from './config.js';

describe('connection strings on read', () => {
  it('masks literal passwords and keeps templates and password-less strings', () => {
    assert.equal(redactUrlPassword('postgresql://root:s3cr@t@db:5432/x?sslmode=disable'), 'postgresql://root:xxxxx@db:5432/x?sslmode=disable');
    assert.equal(redactUrlPassword('root:p@ss:w(rd@tcp(127.0.0.1:3306)/'), 'root:xxxxx@tcp(127.0.0.1:3306)/');
    assert.equal(redactUrlPassword('root:pw@unix(/run/mysqld.sock)/db'), 'root:xxxxx@unix(/run/mysqld.sock)/db');
    assert.equal(redactUrlPassword('{{username}}:{{password}}@tcp(127.0.0.1:3306)/'), '{{username}}:{{password}}@tcp(127.0.0.1:3306)/');
    assert.equal(redactUrlPassword('postgresql://{{username}}:{{password}}@db/x'), 'postgresql://{{username}}:{{password}}@db/x');
    assert.equal(redactUrlPassword('postgresql://db:5432/x'), 'postgresql://db:5432/x');
    assert.equal(redactUrlPassword('root@tcp(h:1)/'), 'root@tcp(h:1)/');
  });
});
