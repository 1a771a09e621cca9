/**
 * The built `coffer` CLI as a child process: a real server on a free loopback port, for
 * tests that need a separate process (kill -9, exit codes, signals, config files, TLS).
 *
 * Every child started here is remembered until it exits; `stopAllProcessServers()` (call it
 * from an `after` hook) and a process 'exit' hook make sure none outlives the test file,
 * even when an assertion failed half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/cli/main.js, found from this compiled file (dist/test/helpers/process-server.js). */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A port that was free a moment ago: bind port 0 on loopback, read it, close. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  srv.listen(0, host);
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  /** PEM of a certificate to trust (https only). */
  ca?: string | Buffer;
  timeoutMs?: number;
  agent?: http.Agent | https.Agent | false;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length), in 256-byte writes. */
  chunked?: boolean;
}

/**
 * One HTTP(S) request with node's own client (fetch cannot be told to trust one
 * certificate without extra packages). Resolves with the whole answer; rejects on a
 * network error or timeout.
 */
export function httpRequest(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...opts.headers };
  let payload: Buffer | undefined;
  if (opts.body !== undefined) {
    payload = Buffer.isBuffer(opts.body)
      ? opts.body
      : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    if (typeof opts.body === 'object' && !Buffer.isBuffer(opts.body)) headers['Content-Type'] ??= 'application/json';
    if (!opts.chunked) headers['Content-Length'] = String(payload.length);
  }
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise<HttpResult>((resolvePromise, reject) => {
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`request to ${url} timed out`)));
    if (payload && opts.chunked) {
      for (let i = 0; i < payload.length; i += 256) req.write(payload.subarray(i, i + 256));
      req.end();
    } else {
      req.end(payload);
    }
  });
}

export interface ProcessServerOptions {
  /** Arguments after `server` (e.g. ['-config=/tmp/x.hcl']). Ignored when `dev` is set. */
  args?: string[];
  /** Dev mode on a free port, optionally with a chosen root token. */
  dev?: { rootTokenId?: string };
  /** Where the server will answer; required with `args` (the port the config names). */
  address?: string;
  /** PEM to trust when the address is https. */
  ca?: string | Buffer;
  /** How long to wait for sys/health to answer. */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ProcessServer {
  child: ChildProcess;
  pid: number;
  /** e.g. http://127.0.0.1:41234 */
  address: string;
  /** Everything the child wrote so far. */
  stdout(): string;
  stderr(): string;
  /** Dev mode only: from the `Root Token:` and `Unseal Key:` lines. */
  rootToken?: string;
  unsealKey?: string;
  /** Resolves when the child has exited. */
  exited: Promise<ExitResult>;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitResult>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<ExitResult>;
  /** An HTTP request to a path under the server's address ('/v1/sys/health'). */
  request(path: string, opts?: HttpOptions): Promise<HttpResult>;
}

const live = new Set<ChildProcess>();

function killLiveNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

// However this test process ends (a failed assertion, an uncaught error, the runner
// interrupting it), its servers go with it.
process.on('exit', killLiveNow);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.once(signal, () => {
    killLiveNow();
    process.exit(code);
  });
}

/** Kills (SIGKILL) every child still running and waits for them; for `after` hooks. */
export async function stopAllProcessServers(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

function spawnCli(args: string[], env?: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<ExitResult>((res) => {
    // 'close' comes after both pipes are drained, so stdout()/stderr() are complete.
    child.on('close', (code, signal) => {
      live.delete(child);
      res({ code, signal });
    });
  });
  child.on('error', () => live.delete(child));
  return { child, exited, stdout: () => out, stderr: () => err };
}

export interface CliResult extends ExitResult {
  stdout: string;
  stderr: string;
}

/** Runs `coffer <args>` to completion (killed after `timeoutMs`). */
export async function runCli(args: string[], timeoutMs = 10_000, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  const { child, exited, stdout, stderr } = spawnCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const result = await exited;
    return { ...result, stdout: stdout(), stderr: stderr() };
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `coffer server ...` and resolves once GET /v1/sys/health answers with any status.
 * Rejects (after killing the child) when it exits first or does not answer in time; the
 * error carries the child's output.
 */
export async function startProcessServer(opts: ProcessServerOptions): Promise<ProcessServer> {
  let args: string[];
  let address: string;
  if (opts.dev) {
    const port = await freePort();
    address = `http://127.0.0.1:${port}`;
    args = ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`];
    if (opts.dev.rootTokenId !== undefined) args.push(`-dev-root-token-id=${opts.dev.rootTokenId}`);
  } else {
    if (!opts.address) throw new Error('startProcessServer: address is required with args');
    address = opts.address;
    args = ['server', ...(opts.args ?? [])];
  }
  const { child, exited, stdout, stderr } = spawnCli(args, opts.env);
  let hasExited: ExitResult | undefined;
  void exited.then((r) => (hasExited = r));

  const describe = () => `\n--- stdout ---\n${stdout()}\n--- stderr ---\n${stderr()}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  for (;;) {
    if (hasExited) {
      throw new Error(`coffer ${args.join(' ')} exited (code ${hasExited.code}, signal ${hasExited.signal}) before answering${describe()}`);
    }
    try {
      await httpRequest(`${address}/v1/sys/health`, { ca: opts.ca, timeoutMs: 2_000, agent: false });
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`coffer ${args.join(' ')} did not answer sys/health within ${opts.startTimeoutMs ?? 15_000} ms${describe()}`);
    }
    await sleep(25);
  }

  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitResult> => {
    if (!hasExited) child.kill(signal);
    return exited;
  };

  const server: ProcessServer = {
    child,
    pid: child.pid!,
    address,
    stdout,
    stderr,
    exited,
    kill,
    async stop(graceMs = 5_000) {
      if (hasExited) return hasExited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    request: (path, reqOpts = {}) => httpRequest(`${address}${path}`, { ca: opts.ca, ...reqOpts }),
  };

  if (opts.dev) {
    // The banner is written before the server logs "started"; it is complete once the
    // health check answered, but wait briefly for the pipe in any case.
    const until = Date.now() + 2_000;
    while (!/Root Token: \S+/.test(stdout()) && Date.now() < until) await sleep(10);
    server.rootToken = /^Root Token: (\S+)$/m.exec(stdout())?.[1];
    server.unsealKey = /^Unseal Key: (\S+)$/m.exec(stdout())?.[1];
  }
  return server;
}
