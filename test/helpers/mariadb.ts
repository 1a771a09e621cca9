/**
 * A throwaway MariaDB server for tests: mariadb-install-db in a temp dir, a free loopback
 * port, the socket in the same dir; stopped and removed by `stop()` (or on exit). As root
 * (CI) the server drops to the `mysql` user, which owns the temp dir. Tests log in as an
 * admin created here (`admin()`), the unix-socket root being reserved to this helper.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { freePort } from './process-server.js';

export interface TestMariadb {
  host: string;
  port: number;
  /** Runs SQL as root. */
  query<R = mysql.RowDataPacket[]>(sql: string, params?: unknown[]): Promise<R>;
  /** Logs in as `user` over TCP and runs `sql`: the rows, or the server's error. */
  login(user: string, password: string, sql?: string): Promise<{ ok: true; rows: unknown[] } | { ok: false; error: string }>;
  stop(): Promise<void>;
}

/**
 * mariadb-install-db, tried twice: once in a CI run it failed for a reason its discarded output
 * no longer told. A second failure throws with the tool's own last words.
 */
function installDb(data: string, userArgs: string[]): void {
  const args = ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs];
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('mariadb-install-db', args, { stdio: 'pipe' });
      return;
    } catch (err) {
      const out = `${(err as { stdout?: Buffer }).stdout ?? ''}${(err as { stderr?: Buffer }).stderr ?? ''}`;
      if (attempt === 2) throw new Error(`mariadb-install-db failed twice; its output ended:\n${out.split('\n').slice(-15).join('\n')}`);
      rmSync(data, { recursive: true, force: true });
    }
  }
}

export async function startMariadb(): Promise<TestMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-mdb-'));
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ['--user=mysql'] : [];
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'mysql']).toString()), Number(execFileSync('id', ['-g', 'mysql']).toString()));
  const data = join(dir, 'data');
  installDb(data, userArgs);
  const port = await freePort();
  const socketPath = join(dir, 'mysqld.sock');
  const child = spawn('/usr/sbin/mariadbd', [
    '--no-defaults', `--datadir=${data}`, `--socket=${socketPath}`, `--port=${port}`, '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'mysqld.pid')}`,
    '--skip-log-bin', '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--skip-name-resolve', '--innodb-flush-log-at-trx-commit=0', ...userArgs,
  ], { stdio: 'ignore' });
  let stopped = false;
  const kill = () => {
    if (!stopped) child.kill('SIGTERM');
    stopped = true;
  };
  const onExit = () => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const root = mysql.createPool({ socketPath, user: 'root', connectionLimit: 3 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await root.query('SELECT 1');
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        onExit();
        throw new Error(`MariaDB did not start: ${(err as Error).message}`);
      }
      await sleep(100);
    }
  }
  return {
    host: '127.0.0.1',
    port,
    query: async <R>(sql: string, params?: unknown[]) => (await root.query(sql, params))[0] as R,
    async login(user, password, sql = 'SELECT CURRENT_USER() AS u') {
      let conn: mysql.Connection | undefined;
      try {
        conn = await mysql.createConnection({ host: '127.0.0.1', port, user, password, connectTimeout: 5000 });
        const [rows] = await conn.query(sql);
        return { ok: true, rows: rows as unknown[] };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      } finally {
        await conn?.end().catch(() => undefined);
      }
    },
    async stop() {
      await root.end().catch(() => undefined);
      kill();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
