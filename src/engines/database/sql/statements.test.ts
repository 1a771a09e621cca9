/** Statement splitting and templating: `;` only splits code, and no value can leave the quoting it lands in. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POSTGRES_DIALECT, postgresQuoting } from '../plugins/postgresql/dialect.js';
import { renderStatement, splitStatements } from './statements.js';

const split = (s: string) => splitStatements(s, POSTGRES_DIALECT);
const render = (s: string, v: Record<string, string>) => renderStatement(s, v, postgresQuoting);

describe('splitting statements', () => {
  it('splits on ; in code and drops empty statements', () => {
    assert.deepEqual(split('CREATE ROLE a; GRANT x TO a;; '), ['CREATE ROLE a', 'GRANT x TO a']);
  });

  it('keeps ; inside literals, identifiers, comments and dollar-quoted bodies', () => {
    const text = `SELECT 'a;b', "c;d"; -- e;f
DO $$ BEGIN RAISE NOTICE 'x;y'; END $$; DO $fn$ BEGIN PERFORM 1; END $fn$; /* g; /* h; */ i; */ SELECT 2`;
    assert.deepEqual(split(text), [
      `SELECT 'a;b', "c;d"`,
      `-- e;f\nDO $$ BEGIN RAISE NOTICE 'x;y'; END $$`,
      `DO $fn$ BEGIN PERFORM 1; END $fn$`,
      `/* g; /* h; */ i; */ SELECT 2`,
    ]);
  });

  it('reads doubled quotes and E-string backslashes as part of the literal', () => {
    assert.deepEqual(split(`SELECT 'it''s;'; SELECT E'a\\';b'; SELECT 1`), [`SELECT 'it''s;'`, `SELECT E'a\\';b'`, 'SELECT 1']);
  });

  it('does not take $1 or identifiers with $ for dollar quotes', () => {
    assert.deepEqual(split('SELECT $1; SELECT a$b$c; SELECT 2'), ['SELECT $1', 'SELECT a$b$c', 'SELECT 2']);
  });
});

describe('templating statements', () => {
  const evil = `x"; DROP TABLE t; --'\\$$`;

  it('escapes a value inside "..." as an identifier and inside \'...\' as a literal', () => {
    assert.equal(
      render(`CREATE ROLE "{{name}}" WITH PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, { name: evil, password: evil, expiration: '2030-01-01 00:00:00+0000' }),
      `CREATE ROLE "x""; DROP TABLE t; --'\\$$" WITH PASSWORD 'x"; DROP TABLE t; --''\\$$' VALID UNTIL '2030-01-01 00:00:00+0000'`,
    );
  });

  it('quotes bare placeholders whole', () => {
    assert.equal(render('ALTER ROLE {{name}} PASSWORD {{password}}', { name: 'a"b', password: "c'd" }), `ALTER ROLE "a""b" PASSWORD 'c''d'`);
  });

  it('escapes backslashes inside E-strings', () => {
    assert.equal(render(`SELECT E'{{password}}'`, { password: `a\\'b` }), `SELECT E'a\\\\''b'`);
  });

  it('escapes twice for an identifier inside a literal (EXECUTE strings)', () => {
    assert.equal(render(`EXECUTE 'GRANT x TO "{{name}}"'`, { name: `a"b'c` }), `EXECUTE 'GRANT x TO "a""b''c"'`);
  });

  it('templates dollar-quoted bodies and gives them a fresh tag when a value contains it', () => {
    const out = render(`DO $$ BEGIN CREATE ROLE "{{name}}"; END $$`, { name: 'a$$b' });
    const m = /^DO (\$coffer_[0-9a-f]{12}\$) BEGIN CREATE ROLE "a\$\$b"; END (\$coffer_[0-9a-f]{12}\$)$/.exec(out);
    assert.ok(m, out);
    assert.equal(m[1], m[2]);
    assert.equal(render(`DO $$ BEGIN CREATE ROLE "{{name}}"; END $$`, { name: 'ab' }), `DO $$ BEGIN CREATE ROLE "ab"; END $$`);
  });

  it('drops placeholders in comments, where a newline or */ in a value would end the comment', () => {
    assert.equal(render('SELECT 1 -- for {{name}}', { name: '\nDROP TABLE t' }), 'SELECT 1 -- for ');
    assert.equal(render('SELECT /* {{name}} */ 1', { name: '*/ DROP TABLE t; /*' }), 'SELECT /*  */ 1');
  });

  it('leaves unknown placeholders alone and refuses NUL characters', () => {
    assert.equal(render('SELECT {{other}}', { name: 'a' }), 'SELECT {{other}}');
    assert.throws(() => render(`SELECT '{{password}}'`, { password: 'a\0b' }), /NUL/);
  });

  it('splits first, so a ; in a value never splits a statement', () => {
    const statements = split(`CREATE ROLE "{{name}}"; GRANT SELECT ON t TO "{{name}}"`).map((s) => render(s, { name: 'a;b' }));
    assert.deepEqual(statements, ['CREATE ROLE "a;b"', 'GRANT SELECT ON t TO "a;b"']);
  });
});
