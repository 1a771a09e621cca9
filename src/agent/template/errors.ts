/**
 * Errors of the template language, each naming the template file, line and column as
 * consul-template's do (`app.ctmpl:3:14: function "foo" not defined`), so an operator can
 * find the mistake. Messages never carry a rendered value.
 */
export interface Position {
  name: string;
  line: number;
  col: number;
}

export class TemplateError extends Error {
  constructor(
    readonly pos: Position,
    readonly detail: string,
    /** What a function threw, when the error came from one (e.g. a failed secret fetch). */
    override readonly cause?: unknown,
  ) {
    super(`${pos.name}:${pos.line}:${pos.col}: ${detail}`);
    this.name = 'TemplateError';
  }
}
