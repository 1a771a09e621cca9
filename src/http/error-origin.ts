/**
 * Where an unexpected error was thrown, for the server log: the first frames of its stack as
 * "file:line:column", nothing else. Frames name code, never data, so they can be logged where
 * the error's message alone would leave a rare 500 impossible to place.
 */
const FRAME = /\(?((?:file:\/\/)?\/[^()\s]+:\d+:\d+)\)?\s*$/;

export function errorOrigin(err: unknown, frames = 4): string | undefined {
  const stack = (err as Error | undefined)?.stack;
  if (typeof stack !== 'string') return undefined;
  const at = stack
    .split('\n')
    .filter((l) => l.trimStart().startsWith('at '))
    .map((l) => FRAME.exec(l)?.[1])
    .filter((f): f is string => !!f)
    .slice(0, frames)
    .map((f) => f.replace(/^file:\/\//, '').replace(/^.*\/(dist|src|node_modules)\//, '$1/'));
  return at.length ? at.join(' < ') : undefined;
}
