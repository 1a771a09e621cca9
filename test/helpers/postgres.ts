/**
 * A throwaway PostgreSQL server for tests: initdb in a temp dir, a free loopback port, the
 * unix socket in the same dir, fsync off; stopped and removed by `stop()` (or on exit).
 * PostgreSQL refuses to run as root, so as root (CI) the data dir is given to the
 * `postgres` user and the binaries run through runuser.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './process-server.js';

export interface TestPostgres {
  host: string;
  port: number;
  /** The superuser's password (user `postgres`). */
  password: string;
  /** A `postgresql://` URL for `user`, or a templated one when user and password are omitted. */
  url(user?: string, password?: string, database?: string): string;
  /** Runs SQL as the superuser. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Logs in as `user` and runs `sql` (default `SELECT current_user`): the rows, or the error the server gave. */
  login(user: string, password: string, sql?: string): Promise<{ ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string }>;
  stop(): Promise<void>;
  /** Shuts the server down (fast shutdown) but keeps its data dir; `resume` starts it again. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data dir; resolves when it answers. */
  resume(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Keep PostgreSQL's crash safety on (fsync, synchronous_commit): for benchmarks of durable writes. */
  durable?: boolean;
}

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0]!, 'bin') : undefined;
}

function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/test-prereqs.mjs as root');
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pg-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'pwfile'), password);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pwfile'), uid, gid);
  }
  const [initCmd, initArgs] = asPostgresUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${join(dir, 'pwfile')}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const unsafe = opts.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'];
  const settings = ['-c', 'listen_addresses=127.0.0.1', ...unsafe, '-c', 'shared_buffers=16MB', '-c', 'max_connections=60'];
  const [cmd, args] = asPostgresUser(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, ...settings]);
  let child: ChildProcess = spawn(cmd, args, { stdio: 'ignore' });
  let stopped = false;
  const kill = () => {
    if (stopped) return;
    stopped = true;
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT'); // fast shutdown
    } catch {
      child.kill('SIGINT');
    }
  };
  const onExit = () => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const host = '127.0.0.1';
  const admin = new pg.Pool({ host, port, user: 'postgres', password, database: 'postgres', max: 3 });
  admin.on('error', () => undefined);
  const waitReady = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await admin.query('SELECT 1');
        return;
      } catch (err) {
        if (Date.now() > deadline || child.exitCode !== null) {
          onExit();
          throw new Error(`PostgreSQL did not start: ${(err as Error).message}`);
        }
        await sleep(100);
      }
    }
  };
  await waitReady();

  return {
    host,
    port,
    password,
    url: (user?: string, pw?: string, database = 'postgres') =>
      user === undefined
        ? `postgresql://{{username}}:{{password}}@${host}:${port}/${database}?sslmode=disable`
        : `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(pw ?? '')}@${host}:${port}/${database}?sslmode=disable`,
    query: (sql, params) => admin.query(sql, params),
    async login(user, pw, sql = 'SELECT current_user') {
      const client = new pg.Client({ host, port, user, password: pw, database: 'postgres', connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const res = await client.query(sql);
        return { ok: true, rows: res.rows };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async halt() {
      kill();
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
    async resume() {
      if (!stopped) return;
      stopped = false;
      child = spawn(cmd, args, { stdio: 'ignore' });
      await waitReady();
    },
    async stop() {
      await admin.end().catch(() => undefined);
      kill();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
