/** Vault's JSON envelope around a logical response, and `{"errors": [...]}` for failures. */
export { envelope, envelopeJson } from '../logical/envelope.js';

export function errorBody(messages: string[]): string {
  return JSON.stringify({ errors: messages });
}
