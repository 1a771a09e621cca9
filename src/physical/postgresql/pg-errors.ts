/**
 * What a failure of PostgreSQL means for a caller. Losing the server (refused, reset,
 * shut down, too many clients, login refused) is `Unavailable`, a 503 that clients retry;
 * anything else is a plain Error (a 500, logged). Messages name where the database is and
 * the code it gave, never the connection string (it may hold a password).
 */
import { CofferError, unavailable } from '../../errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

// node-postgres reports a lost or never-made connection with these messages, without a code.
const CONNECTION_MESSAGES = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|connection timeout|server closed the connection/i;

/** SQLSTATEs of a server that is going away, starting, full, or refusing the login. */
function unavailableState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code === '3D000';
}

export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof CofferError) return err.kind === 'Unavailable';
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || unavailableState(code)) return true;
  return typeof e?.message === 'string' && CONNECTION_MESSAGES.test(e.message);
}

/** The error a caller sees for `err`, raised while talking to the database at `target`. */
export function mapPgError(err: unknown, target: string): Error {
  if (err instanceof CofferError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' && e.code ? e.code : undefined;
  if (code?.startsWith('28')) return unavailable(`storage unavailable: the PostgreSQL server at ${target} refused the login (${code})`);
  if (isConnectionFailure(err)) {
    return unavailable(`storage unavailable: the PostgreSQL server at ${target} cannot be reached${code ? ` (${code})` : ''}`);
  }
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new Error(`physical/postgresql: ${message}${code ? ` (SQLSTATE ${code})` : ''}`);
}
