/** What a command runs with: its streams and environment, output settings, and the server. */
import type { Logical } from '../api/logical.js';

export type Format = 'table' | 'json' | 'yaml';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface Context {
  io: CliIo;
  format: Format;
  /** `-field`: print one value, raw. */
  field?: string;
  /** `-non-interactive`: never prompt. */
  nonInteractive: boolean;
  /** The server, with the resolved address and token. */
  api(): Logical;
  /** The server with this token (or none) instead of the resolved one: for logins. */
  apiWithToken(token: string | undefined): Logical;
  /** A line to stdout. */
  out(text: string): void;
  /** A line to stderr. */
  err(text: string): void;
}
