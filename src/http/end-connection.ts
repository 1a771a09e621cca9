/** Closing a connection the HTTP parser no longer owns (client-error.ts, list-method.ts). */
import type { Socket } from 'node:net';

/** How long a connection answered this way may stay open for its client to read and close. */
const LINGER_MS = 5_000;

/**
 * Ends the connection once `answer` is written. The client's unread bytes are still read
 * and dropped until it closes (the socket stays flowing): closing with bytes unread would
 * send a reset, which can destroy the answer before the client reads it.
 */
export function endWith(socket: Socket, answer: string | undefined): void {
  if (!socket.writable) return void socket.destroy();
  if (answer === undefined) socket.end();
  else socket.end(answer);
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
