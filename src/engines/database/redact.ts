/**
 * Database drivers put what they were given into their errors (a URL, a user name, now and
 * then a statement). Every message that leaves the engine (an answer, a log line, a lease's
 * last error) passes through here first: known secrets and any URL's credentials become
 * `[redacted]`.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; generated passwords are 4+ characters.
    if (!secret || secret.length < 4) continue;
    // As sent, URL-encoded, and as escaped inside SQL literals (a driver may quote the statement).
    const forms = [secret, encodeURIComponent(secret), secret.replace(/'/g, "''"), secret.replace(/\\/g, '\\\\').replace(/'/g, "''"), secret.replace(/"/g, '""')];
    for (const form of new Set(forms)) out = out.split(form).join('[redacted]');
  }
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1[redacted]@');
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
