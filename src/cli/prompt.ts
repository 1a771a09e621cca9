/**
 * Reading secrets from the user: on a terminal, a prompt whose input is not echoed; when
 * stdin is a pipe or a file, its first line (so `echo $KEY | coffer operator unseal` works).
 * Prompts go to stderr, keeping stdout for the command's output.
 */
import type { CliIo } from './context.js';

export class PromptCancelled extends Error {}

/** Everything on stdin until it ends. */
export function readAllStdin(io: CliIo): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stdin = io.stdin;
    stdin.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stdin.once('error', reject);
    stdin.resume();
  });
}

/**
 * What arrived on stdin after the line a prompt took: the next prompt starts from it, so
 * answers can be piped one per line (a password, then a login MFA passcode).
 */
const leftOver = new WeakMap<object, string>();
/** Streams whose end was seen: a later prompt answers from what is left instead of waiting. */
const ended = new WeakSet<object>();

/** The first line of stdin (without its line ending), or all of it when there is no newline. */
export function readLine(io: CliIo): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = io.stdin;
    let buf = leftOver.get(stdin) ?? '';
    leftOver.delete(stdin);
    const early = buf.indexOf('\n');
    if (early !== -1 || ended.has(stdin)) {
      if (early !== -1) leftOver.set(stdin, buf.slice(early + 1));
      resolve((early === -1 ? buf : buf.slice(0, early)).replace(/\r$/, ''));
      return;
    }
    const cleanup = () => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause();
    };
    const finish = (line: string) => {
      cleanup();
      resolve(line.replace(/\r$/, ''));
    };
    const onData = (c: Buffer | string) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) {
        leftOver.set(stdin, buf.slice(nl + 1));
        finish(buf.slice(0, nl));
      }
    };
    const onEnd = () => {
      ended.add(stdin);
      finish(buf);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    stdin.resume();
  });
}

function readHidden(io: CliIo, label: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(label);
  stdin.setRawMode!(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      stdin.removeListener('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new PromptCancelled('user canceled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** A secret from the user: hidden prompt on a terminal, else the first line of stdin, trimmed. */
export async function readSecret(io: CliIo, label: string): Promise<string> {
  const tty = io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
  const value = tty ? await readHidden(io, label) : await readLine(io);
  return value.trim();
}
