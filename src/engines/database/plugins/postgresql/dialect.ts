/** PostgreSQL quoting: "identifiers" with doubled quotes, 'literals' with doubled quotes (standard_conforming_strings is forced on for every connection, so a backslash is just a character). */
import type { SqlDialect } from '../../sql/lexer.js';
import { doubled, type SqlQuoting } from '../../sql/statements.js';

export const POSTGRES_DIALECT: SqlDialect = {
  identQuotes: '"',
  literalQuotes: "'",
  backslashEscapes: false,
  postgres: true,
  hashComments: false,
};

export const postgresQuoting: SqlQuoting = {
  dialect: POSTGRES_DIALECT,
  quoteIdent: (v) => `"${doubled(v, '"')}"`,
  quoteLiteral: (v) => `'${doubled(v, "'")}'`,
};

/**
 * Vault's expiration format for PostgreSQL (VALID UNTIL), always in UTC. It has whole
 * seconds, so the time is rounded up: truncated, a one-second lease made at .9 s gave a
 * password that expired 100 ms later, long before its lease did.
 */
export function pgTimestamp(date: Date): string {
  const wholeSeconds = new Date(Math.ceil(date.getTime() / 1000) * 1000);
  return wholeSeconds.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+0000');
}
