/**
 * `coffer operator migrate -config=FILE`: copies all stored data from one storage backend
 * to another while the server is stopped, as `vault operator migrate` does. The work is
 * in src/server/migration.ts; this file opens the stores, refuses what cannot work, and
 * reports.
 */
import { existsSync } from 'node:fs';
import { defineCommand, expectArgs } from '../../command.js';
import { CommandFailed } from '../../errors.js';
import { clearMigrationLock, copyAll, isInitialized, openPhysical, readMigrationLock, setMigrationLock, type PhysicalBackend } from '../../../server/migration.js';
import { loadMigrateConfig, type MigrateStorage } from '../../../server/migrate-config.js';

const describe = (s: MigrateStorage) => (s.type === 'sqlite' ? `sqlite (${s.config['path']})` : 'postgresql');

async function open(role: 'source' | 'destination', s: MigrateStorage, env: NodeJS.ProcessEnv): Promise<PhysicalBackend> {
  // Opening an SQLite file creates it: a mistyped source path would otherwise become an
  // empty store reported as "not initialized".
  if (role === 'source' && s.type === 'sqlite' && !existsSync(s.config['path']!)) {
    throw new CommandFailed(`Error opening source storage: sqlite database ${s.config['path']} does not exist`);
  }
  try {
    return await openPhysical(s.type, s.config, env);
  } catch (err) {
    throw new CommandFailed(`Error opening ${role} storage ${describe(s)}: ${(err as Error).message}`);
  }
}

const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (err) {
    throw new CommandFailed(`Error ${what}: ${(err as Error).message}`);
  }
};

export default defineCommand({
  name: 'operator migrate',
  http: false,
  flags: {
    config: { type: 'string', usage: 'Path to the migration configuration file (storage_source and storage_destination blocks). Required.' },
    start: { type: 'string', usage: 'Only copy keys sorting at or after this one (byte order): to resume a migration that stopped part way.' },
    reset: { type: 'bool', default: false, usage: 'Remove the migration lock from the source storage and exit, without copying.' },
    'max-parallel': { type: 'int', default: 10, usage: 'Most source reads in flight at once.' },
  },
  help: `Usage: coffer operator migrate [options]

  Copies every entry from one storage backend to another, as stored: values
  stay encrypted, and the destination unseals with the same unseal keys. Run
  it with the server stopped. The configuration file names both stores:

      storage_source "sqlite" {
        path = "/var/lib/coffer/coffer.db"
      }

      storage_destination "postgresql" {
        connection_url = "postgres://coffer@db.internal:5432/coffer"
      }

  While it runs, the source carries a migration lock: a second migration and
  a server on the source refuse to start. Keys already in the destination are
  overwritten. The lock of an interrupted migration is removed with -reset.

      $ coffer operator migrate -config=migrate.hcl
`,
  async run(ctx, args, flags) {
    expectArgs(args, 0);
    const path = flags.str('config');
    if (!path) throw new CommandFailed('Must specify exactly one config path using -config', 2);
    const maxParallel = flags.int('max-parallel') ?? 10;
    if (maxParallel < 1) throw new CommandFailed('-max-parallel must be at least 1', 2);
    const config = await step(`loading configuration from ${path}`, async () => loadMigrateConfig(path, ctx.io.env));

    const from = await open('source', config.source, ctx.io.env);
    let to: PhysicalBackend | undefined;
    try {
      if (flags.bool('reset')) {
        await step('resetting the migration lock', () => clearMigrationLock(from));
        ctx.out('Success! Migration lock removed.');
        return 0;
      }
      // Checked before the destination is opened: a refusal leaves both stores as they were.
      const lock = await step('reading the migration lock', () => readMigrationLock(from));
      if (lock) {
        throw new CommandFailed(
          `Error: a storage migration is already in progress on the source (started: ${lock.start}); if it was interrupted, clear its lock with -reset`,
        );
      }
      if (!(await step('reading the source storage', () => isInitialized(from)))) {
        throw new CommandFailed(`Error: the source storage ${describe(config.source)} is not initialized: there is nothing to migrate`);
      }
      to = await open('destination', config.destination, ctx.io.env);
      await step('setting the migration lock', () => setMigrationLock(from));
      const dest = to;
      // Ctrl-C stops between batches, so the lock is removed and the resume point printed.
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const started = Date.now();
        const copied = await step('migrating', () =>
          copyAll(from, dest, {
            start: flags.str('start') ?? '',
            maxParallel,
            signal: interrupt.signal,
            onProgress: (n, last) => ctx.err(`Copied ${n} keys (up to ${last})`),
          }),
        );
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        ctx.out(`Success! All of the keys have been migrated: ${copied} keys copied in ${seconds}s.`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await clearMigrationLock(from).catch((err: Error) => ctx.err(`Warning: could not remove the migration lock (${err.message}); remove it with -reset`));
      }
      return 0;
    } finally {
      await to?.close().catch(() => undefined);
      await from.close().catch(() => undefined);
    }
  },
});
