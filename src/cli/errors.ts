/** Errors as the user sees them: the server's messages, never a stack trace. */
import { ApiError, ConnectionError } from '../api/client.js';

/** A command ends with this message on stderr and this exit code (1 unless said). */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** The Vault CLI's rendering of a failed request: URL, status code, then each server error. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const lines = ['Error making API request.', ''];
    if (err.request) lines.push(`URL: ${err.request.method} ${err.request.url}`);
    lines.push(`Code: ${err.status}. Errors:`, '');
    for (const e of err.errors) lines.push(`* ${e}`);
    return lines.join('\n');
  }
  if (err instanceof ConnectionError) return `${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** `Error reading secret/x: <what went wrong>` as a CommandFailed (exit 1). */
export function failure(prefix: string, err: unknown): CommandFailed {
  if (err instanceof CommandFailed) return err;
  return new CommandFailed(`${prefix}: ${describeError(err)}`);
}

/** Runs `fn`; a failure becomes `prefix: message`. */
export async function attempt<T>(prefix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw failure(prefix, err);
  }
}
