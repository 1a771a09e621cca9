/** Socket errors as the ACME problem a client is shown: which address and port, and what went wrong. */
import { ChallengeFailed } from './types.js';

const WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the peer',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ABORT_ERR: 'timed out',
  EPIPE: 'connection closed by the peer',
};

export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** TLS errors carry OpenSSL codes (ERR_SSL_*) and alerts; anything else is a connection problem. */
export function connectionProblem(err: unknown, address: string, port: number, name: string): ChallengeFailed {
  if (err instanceof ChallengeFailed) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? e.name ?? '';
  const at = `${endpoint(address, port)} (${name})`;
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || /alert|handshake|ssl/i.test(e.message ?? '')) {
    return new ChallengeFailed('tls', `TLS handshake with ${at} failed: ${e.message}`);
  }
  return new ChallengeFailed('connection', `could not fetch from ${at}: ${WHY[code] ?? e.message ?? code}`);
}
