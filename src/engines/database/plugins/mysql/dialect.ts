/**
 * MySQL/MariaDB quoting: `identifiers` with doubled backticks; '...' and "..." strings in
 * which a backslash escapes (every session turns NO_BACKSLASH_ESCAPES and ANSI_QUOTES off,
 * so this holds whatever the server's sql_mode). User names are usually written as
 * strings ('{{name}}'@'%'), which the templating escapes as literals.
 */
import type { SqlDialect } from '../../sql/lexer.js';
import { doubled, escapeLiteral, type SqlQuoting } from '../../sql/statements.js';

export const MYSQL_DIALECT: SqlDialect = {
  identQuotes: '`',
  literalQuotes: `'"`,
  backslashEscapes: true,
  postgres: false,
  hashComments: true,
};

export const mysqlQuoting: SqlQuoting = {
  dialect: MYSQL_DIALECT,
  quoteIdent: (v) => `\`${doubled(v, '`')}\``,
  quoteLiteral: (v) => `'${escapeLiteral(v, "'", true)}'`,
};

/** Vault's expiration format; MySQL has no user expiry, but templates may store it. */
export function mysqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+0000');
}

export const SESSION_SQL_MODE = "SET SESSION sql_mode = REPLACE(REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', ''), 'ANSI_QUOTES', '')";
