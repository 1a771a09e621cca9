/**
 * A real Coffer server in its own process, dev mode (initialized, unsealed, root token).
 * `node coffer-server.js [inmem|sqlite]`: storage in memory (default) or SQLite in a temp
 * dir. Prints `{"address":...,"token":...}` on stdout as one line and runs until killed;
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
} else if (storage !== 'inmem') {
  throw new Error(`unknown storage "${storage}": use inmem or sqlite`);
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
