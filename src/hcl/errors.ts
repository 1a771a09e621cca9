/** Errors raised while reading HCL (or its JSON variant). */

/** A document that parsed but does not have the expected shape (see `blocks`). */
export class HclError extends Error {
  override name = 'HclError';
}

/**
 * Malformed input. The message names the line and column (1-based) and never repeats more
 * than a few characters of the input.
 */
export class HclSyntaxError extends HclError {
  override name = 'HclSyntaxError';
  /** The problem without the position prefix. */
  readonly detail: string;

  constructor(
    detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(line > 0 ? `line ${line}, column ${column}: ${detail}` : detail);
    this.detail = detail;
  }
}

/** Line and column (1-based) of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function syntaxErrorAt(text: string, offset: number, detail: string): HclSyntaxError {
  const { line, column } = positionOf(text, offset);
  return new HclSyntaxError(detail, line, column);
}

/** A short, printable rendering of a piece of input for error messages. */
export function excerpt(s: string, max = 20): string {
  const cut = s.length > max ? s.slice(0, max) + '…' : s;
  return JSON.stringify(cut);
}
