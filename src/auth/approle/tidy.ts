/**
 * Tidy of secret ids: removes expired ones, the secret ids and accessors of roles that no
 * longer exist (a role delete that stopped half-way), and accessor or secret id entries that
 * lost their other half. Logins refuse expired secret ids by themselves; this only reclaims
 * storage. Runs from `tidy/secret-id` and from the backend's periodic hook.
 */
import type { Logger } from '../../logging/logger.js';
import { applyOps, getJson, type Storage, type StorageOp } from '../../logical/storage.js';
import { isExpired } from './secret-ids.js';
import { deleteFolder, type RoleEntry, type SecretIdEntry } from './storage.js';

export interface TidyReport {
  expired: number;
  orphaned: number;
  dangling: number;
}

const PAGE = 500;

/** Every entry name one level below `folder`, page by page. */
async function* names(storage: Storage, folder: string): AsyncGenerator<string> {
  for (let after = ''; ;) {
    const page = await storage.listPage(folder, after, PAGE);
    for (const name of page) yield name;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!;
  }
}

/** The uuids of every role. */
async function roleUuids(storage: Storage): Promise<Set<string>> {
  const roles = new Set<string>();
  for await (const name of names(storage, 'role/')) {
    const role = await getJson<RoleEntry>(storage, `role/${name}`);
    if (role) roles.add(role.uuid);
  }
  return roles;
}

export async function tidySecretIds(storage: Storage, now: () => number): Promise<TidyReport> {
  const report: TidyReport = { expired: 0, orphaned: 0, dangling: 0 };
  let roles = await roleUuids(storage);
  // A folder of an unknown role may belong to a role made since the roles were read (its
  // role exists before its first secret id does): read them again before calling it orphaned.
  const roleGone = async (uuid: string) => !roles.has(uuid) && !(roles = await roleUuids(storage)).has(uuid);
  for await (const folder of names(storage, 'secret-id/')) {
    const uuid = folder.replace(/\/$/, '');
    if (await roleGone(uuid)) {
      report.orphaned++;
      await deleteFolder(storage, `secret-id/${folder}`);
      await deleteFolder(storage, `accessor/${folder}`);
      continue;
    }
    const ops: StorageOp[] = [];
    const live = new Set<string>();
    for await (const hmac of names(storage, `secret-id/${folder}`)) {
      const entry = await getJson<SecretIdEntry>(storage, `secret-id/${folder}${hmac}`);
      if (!entry) continue;
      if (isExpired(entry, now())) {
        report.expired++;
        ops.push({ kind: 'delete', key: `secret-id/${folder}${hmac}` }, { kind: 'delete', key: `accessor/${folder}${entry.accessor}` });
      } else if (!(await storage.get(`accessor/${folder}${entry.accessor}`))) {
        // A secret id with no accessor cannot be listed or destroyed by accessor: Vault deletes it too.
        report.dangling++;
        ops.push({ kind: 'delete', key: `secret-id/${folder}${hmac}` });
      } else {
        live.add(hmac);
      }
      if (ops.length >= PAGE) await applyOps(storage, ops.splice(0));
    }
    for await (const accessor of names(storage, `accessor/${folder}`)) {
      const hmac = (await storage.get(`accessor/${folder}${accessor}`))?.toString('utf8');
      if (hmac && live.has(hmac)) continue;
      if (ops.some((op) => op.key === `accessor/${folder}${accessor}`)) continue;
      // Issued after the pass above (entry and accessor are written together): still live.
      if (hmac && (await storage.get(`secret-id/${folder}${hmac}`))) continue;
      report.dangling++;
      ops.push({ kind: 'delete', key: `accessor/${folder}${accessor}` });
      if (ops.length >= PAGE) await applyOps(storage, ops.splice(0));
    }
    await applyOps(storage, ops);
  }
  // Accessor folders whose secret-id folder is gone entirely.
  for await (const folder of names(storage, 'accessor/')) {
    if (!(await roleGone(folder.replace(/\/$/, '')))) continue;
    report.orphaned++;
    await deleteFolder(storage, `accessor/${folder}`);
  }
  return report;
}

/** One tidy at a time per mount; a second request while one runs is told so. */
export class TidyRunner {
  private running: Promise<TidyReport> | undefined;
  private lastRun = 0;

  get busy(): boolean {
    return this.running !== undefined;
  }

  start(storage: Storage, now: () => number, logger: Logger): Promise<TidyReport> | undefined {
    if (this.running) return undefined;
    this.lastRun = now();
    const run = tidySecretIds(storage, now)
      .then((report) => {
        if (report.expired + report.orphaned + report.dangling > 0) logger.info('tidied secret ids', { ...report });
        return report;
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = run;
    return run;
  }

  /** For the periodic hook: at most once per `intervalMs`. */
  due(now: number, intervalMs: number): boolean {
    return !this.running && now - this.lastRun >= intervalMs;
  }
}
