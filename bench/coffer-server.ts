/**
 * A real Coffer server in its own process, dev mode (initialized, unsealed, root token).
 * `node coffer-server.js [inmem|sqlite|postgresql]`: storage in memory (default), SQLite in a
 * temp dir, or PostgreSQL at VAULT_PG_CONNECTION_URL (read by the backend itself, as in Vault). Prints `{"address":...,"token":...}` on stdout as one line and runs until killed;
 * on SIGTERM it closes cleanly and exits, so `--cpu-prof` can write its profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';

const storage = process.argv[2] ?? 'inmem';
const config = { ...devConfig('127.0.0.1:0'), logLevel: 'warn' as const };
let dir: string | undefined;
if (storage === 'sqlite') {
  dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  config.storage = { type: 'sqlite', config: { path: join(dir, 'coffer.db') } };
} else if (storage === 'postgresql') {
  config.storage = { type: 'postgresql', config: { max_parallel: process.env['BENCH_PG_MAX_PARALLEL'] ?? '40' } };
} else if (storage !== 'inmem') {
  throw new Error(`unknown storage "${storage}": use inmem, sqlite or postgresql`);
}

// Dev mode initializes and unseals whatever storage it is given.
const server = await startServer(config, {});
process.stdout.write(JSON.stringify({ address: server.address, token: server.dev!.rootToken, storage }) + '\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const s of server.servers) s.server.closeAllConnections();
  await server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
