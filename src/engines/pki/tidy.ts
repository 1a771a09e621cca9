/**
 * Tidy: drops certificates expired longer than safety_buffer ago, revocation entries whose
 * certificate did (a CRL need not list a certificate no one can use any more), fills in the
 * issuer of revocation entries written before they named it, and optionally expired issuers.
 * Runs in the background, one at a time per mount, cancellable between entries; the CRLs
 * are rebuilt afterwards. Auto-tidy runs it from the periodic function every interval.
 * Status lives in memory, as in Vault: only the active node tidies.
 */
import { applyOps, getJson, putJson, type StorageOp } from '../../logical/storage.js';
import { notAfterOf, rebuildAll, refreshCrls, revokedEntry, revokedKey, type Background, type RevokedEntry } from './crl.js';
import { certKey, type StoredCert } from './leaf.js';
import { issuerRemovalOps } from './issuer-removal.js';
import { withMountLock } from './lock.js';
import { forgetIssuer } from './signer-cache.js';
import { allIssuers, issuersConfig } from './storage.js';

export interface TidyConfig {
  tidy_cert_store: boolean;
  tidy_revoked_certs: boolean;
  tidy_revoked_cert_issuer_associations: boolean;
  tidy_expired_issuers: boolean;
  /** seconds */
  safety_buffer: number;
  issuer_safety_buffer: number;
  pause_duration: number;
}

export interface AutoTidyConfig extends TidyConfig {
  enabled: boolean;
  interval_duration: number;
}

export const DEFAULT_TIDY: TidyConfig = {
  tidy_cert_store: false,
  tidy_revoked_certs: false,
  tidy_revoked_cert_issuer_associations: false,
  tidy_expired_issuers: false,
  safety_buffer: 72 * 3600,
  issuer_safety_buffer: 365 * 24 * 3600,
  pause_duration: 0,
};
export const DEFAULT_AUTO_TIDY: AutoTidyConfig = { ...DEFAULT_TIDY, enabled: false, interval_duration: 12 * 3600 };

export type TidyState = 'Inactive' | 'Running' | 'Finished' | 'Error' | 'Cancelling' | 'Cancelled';

export interface TidyStatus {
  state: TidyState;
  config?: TidyConfig;
  error?: string;
  /** ISO times */
  timeStarted?: string;
  timeFinished?: string;
  message?: string;
  certStoreDeleted: number;
  revokedCertDeleted: number;
  missingIssuerCert: number;
  issuersDeleted: number;
  lastAutoTidyFinished?: string;
}

const statuses = new Map<string, TidyStatus>();
const lastAuto = new Map<string, number>();

export function tidyStatus(mountUuid: string): TidyStatus {
  return statuses.get(mountUuid) ?? { state: 'Inactive', certStoreDeleted: 0, revokedCertDeleted: 0, missingIssuerCert: 0, issuersDeleted: 0 };
}

export const isTidying = (mountUuid: string) => ['Running', 'Cancelling'].includes(tidyStatus(mountUuid).state);

/** Asks a running tidy to stop at its next entry; false when none runs. */
export function cancelTidy(mountUuid: string): boolean {
  const s = statuses.get(mountUuid);
  if (!s || s.state !== 'Running') return false;
  s.state = 'Cancelling';
  return true;
}

class Cancelled extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** Runs a tidy to its end, never rejecting (a failure is its status); callers check isTidying first. */
export async function runTidy(ctx: Background, config: TidyConfig): Promise<TidyStatus> {
  const id = ctx.mount.uuid;
  const status: TidyStatus = {
    state: 'Running',
    config,
    timeStarted: new Date(ctx.clock()).toISOString(),
    certStoreDeleted: 0,
    revokedCertDeleted: 0,
    missingIssuerCert: 0,
    issuersDeleted: 0,
    lastAutoTidyFinished: statuses.get(id)?.lastAutoTidyFinished,
  };
  statuses.set(id, status);
  const step = async (message: string) => {
    if (status.state === 'Cancelling') throw new Cancelled();
    status.message = message;
    if (config.pause_duration > 0) await sleep(config.pause_duration * 1000);
  };
  try {
    const cutoff = Math.floor(ctx.clock() / 1000) - config.safety_buffer;
    let revokedChanged = false;
    if (config.tidy_cert_store) {
      const serials = (await ctx.storage.list('certs/')).filter((k) => !k.endsWith('/'));
      for (const [i, s] of serials.entries()) {
        await step(`Tidying certificate store: checking entry ${i + 1} of ${serials.length}`);
        const cert = await getJson<StoredCert>(ctx.storage, certKey(s));
        if (cert && notAfterOf(cert.certificate) < cutoff) {
          await ctx.storage.delete(certKey(s));
          status.certStoreDeleted++;
        }
      }
    }
    if (config.tidy_revoked_certs || config.tidy_revoked_cert_issuer_associations) {
      const issuerIds = new Set((await allIssuers(ctx.storage)).map((i) => i.id));
      const serials = await ctx.storage.list('revoked/');
      for (const [i, s] of serials.entries()) {
        await step(`Tidying revoked certificates: checking certificate ${i + 1} of ${serials.length}`);
        await withMountLock(ctx.mount, 'crl', async () => {
          const raw = await getJson<Partial<RevokedEntry>>(ctx.storage, revokedKey(s));
          const entry = await revokedEntry(ctx.storage, s);
          if (!raw) return;
          if (!entry || !issuerIds.has(entry.issuerId)) status.missingIssuerCert++;
          const ops: StorageOp[] = [];
          if (config.tidy_revoked_certs && entry && entry.notAfter < cutoff) {
            ops.push({ kind: 'delete', key: revokedKey(s) }, { kind: 'delete', key: certKey(s) });
            status.revokedCertDeleted++;
          } else if (config.tidy_revoked_cert_issuer_associations && entry && !raw.issuerId) {
            ops.push({ kind: 'put', key: revokedKey(s), value: Buffer.from(JSON.stringify(entry)) });
          }
          if (ops.length) {
            await applyOps(ctx.storage, ops);
            revokedChanged = true;
          }
        });
      }
    }
    if (config.tidy_expired_issuers) {
      const { default: def } = await issuersConfig(ctx.storage);
      const issuerCutoff = Math.floor(ctx.clock() / 1000) - config.issuer_safety_buffer;
      for (const issuer of await allIssuers(ctx.storage)) {
        await step(`Tidying expired issuers: checking ${issuer.id}`);
        // The default issuer stays: removing it would leave the mount unable to issue or sign CRLs.
        if (issuer.id === def || issuer.notAfter >= issuerCutoff) continue;
        await withMountLock(ctx.mount, 'issuers', async () => applyOps(ctx.storage, (await issuerRemovalOps(ctx.storage, issuer.id)).ops));
        forgetIssuer(ctx.mount, issuer.id);
        status.issuersDeleted++;
      }
    }
    if (revokedChanged || status.issuersDeleted) await rebuildAll(ctx);
    status.state = 'Finished';
    status.message = undefined;
  } catch (err) {
    if (err instanceof Cancelled) status.state = 'Cancelled';
    else {
      status.state = 'Error';
      status.error = err instanceof Error ? err.message : String(err);
      ctx.logger.warn('pki tidy failed', { mount: ctx.mount.path, error: status.error });
    }
  }
  status.timeFinished = new Date(ctx.clock()).toISOString();
  return status;
}

const AUTO_KEY = 'config/auto-tidy';
export const autoTidyConfig = async (ctx: Pick<Background, 'storage'>): Promise<AutoTidyConfig> => ({ ...DEFAULT_AUTO_TIDY, ...((await getJson<Partial<AutoTidyConfig>>(ctx.storage, AUTO_KEY)) ?? {}) });

export async function putAutoTidyConfig(ctx: Background, c: AutoTidyConfig): Promise<void> {
  await putJson(ctx.storage, AUTO_KEY, c);
  // The interval counts from now: enabling auto-tidy does not tidy at once.
  lastAuto.set(ctx.mount.uuid, ctx.clock());
}

/** Periodic: CRLs first (they must never lapse), then auto-tidy when its interval has passed. */
export async function pkiPeriodic(ctx: Background): Promise<void> {
  await refreshCrls(ctx);
  const auto = await autoTidyConfig(ctx);
  if (!auto.enabled || isTidying(ctx.mount.uuid)) return;
  const now = ctx.clock();
  const last = lastAuto.get(ctx.mount.uuid);
  if (last === undefined) {
    lastAuto.set(ctx.mount.uuid, now);
    return;
  }
  if (now - last < auto.interval_duration * 1000) return;
  lastAuto.set(ctx.mount.uuid, now);
  // In the background: the periodic runner serves every mount one after another, and a long
  // tidy must not hold back CRL refreshes (here or on other mounts) until it ends.
  void runTidy(ctx, auto).then((status) => {
    status.lastAutoTidyFinished = status.timeFinished;
  });
}
