/** Vault's JSON envelope around a logical response, and `{"errors": [...]}` for failures. */
export { envelope, envelopeJson } from '../logical/envelope.js';

export function errorBody(messages: string[]): string {
  return JSON.stringify({ errors: messages });
}

/**
 * A whole error answer as raw HTTP, for a socket the parser gave up on (no response object
 * exists there). It always closes the connection; HEAD gets no body.
 */
export function rawErrorAnswer(status: number, reason: string, messages: string[], head = false): string {
  const body = errorBody(messages);
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`
  );
}
