/** From what a plugin throws to the error table, with every known secret taken out of the message. */
import { badGateway, invalidRequest, isCofferError, type CofferError } from '../../errors.js';
import { DatabaseUnreachable, PluginInputError, StatementFailed } from './plugins/plugin.js';
import { messageOf, redact } from './redact.js';

/**
 * A refused statement or bad plugin input is the caller's to fix (400); an unreachable
 * database is named, with its credentials redacted (502, or 400 when `unreachableIsInput`:
 * a config that cannot connect is refused). Anything else is a bug and stays as thrown.
 */
export function databaseError(err: unknown, dbName: string, secrets: readonly (string | undefined)[], unreachableIsInput = false): CofferError | unknown {
  if (isCofferError(err)) return err;
  const message = redact(messageOf(err), secrets);
  if (err instanceof StatementFailed || err instanceof PluginInputError) return invalidRequest(`database "${dbName}": ${message}`);
  if (err instanceof DatabaseUnreachable) {
    const text = `database "${dbName}" could not be reached: ${message}`;
    return unreachableIsInput ? invalidRequest(`error creating database object: ${text}`) : badGateway(text);
  }
  return err;
}

/** The same, for messages that are thrown on: lease renewals and revocations, whose errors are logged and stored. */
export function redactedError(err: unknown, secrets: readonly (string | undefined)[]): Error {
  return new Error(redact(messageOf(err), secrets));
}
