/**
 * tidy (answered 202 at once, run in the background), tidy-status, tidy-cancel and
 * config/auto-tidy, with Vault's field names and status shape.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { durationString } from '../crl-config.js';
import { autoTidyConfig, cancelTidy, DEFAULT_TIDY, isTidying, putAutoTidyConfig, runTidy, tidyStatus, type AutoTidyConfig, type TidyConfig } from '../tidy.js';
import type { Ctx } from './common.js';

const tidyFields = {
  tidy_cert_store: f.bool().optional().describe('Delete stored certificates expired longer than safety_buffer ago'),
  tidy_revoked_certs: f.bool().optional().describe('Delete revocation entries (and certificates) expired longer than safety_buffer ago'),
  tidy_revoked_cert_issuer_associations: f.bool().optional().describe('Record the issuer on revocation entries that lack it'),
  tidy_expired_issuers: f.bool().optional().describe('Delete issuers (never the default) expired longer than issuer_safety_buffer ago'),
  safety_buffer: f.duration().optional().describe('How long past expiry a certificate is kept; default 72h'),
  issuer_safety_buffer: f.duration().optional().describe('How long past expiry an issuer is kept; default 8760h'),
  pause_duration: f.duration().optional().describe('Pause between entries, to spread the load; default 0s'),
};
const autoFields = {
  ...tidyFields,
  enabled: f.bool().optional().describe('Run tidy from the periodic function'),
  interval_duration: f.duration().optional().describe('Time between automatic tidies; default 12h'),
};
type TidyFields = z.infer<z.ZodObject<typeof tidyFields>>;
type AutoFields = z.infer<z.ZodObject<typeof autoFields>>;

const ANY = ['tidy_cert_store', 'tidy_revoked_certs', 'tidy_revoked_cert_issuer_associations', 'tidy_expired_issuers'] as const;

function merge<T extends TidyConfig>(base: T, fields: Partial<T>): T {
  const out = { ...base };
  for (const k of Object.keys(fields) as (keyof T)[]) if (fields[k] !== undefined) out[k] = fields[k] as T[keyof T];
  if (out.safety_buffer < 1) throw invalidRequest('safety_buffer must be at least 1s');
  if (out.issuer_safety_buffer < 1) throw invalidRequest('issuer_safety_buffer must be at least 1s');
  if (out.pause_duration > 600) throw invalidRequest('pause_duration must be at most 10m');
  return out;
}

function configData(c: TidyConfig): Record<string, unknown> {
  return {
    tidy_cert_store: c.tidy_cert_store,
    tidy_revoked_certs: c.tidy_revoked_certs,
    tidy_revoked_cert_issuer_associations: c.tidy_revoked_cert_issuer_associations,
    tidy_expired_issuers: c.tidy_expired_issuers,
    safety_buffer: c.safety_buffer,
    issuer_safety_buffer: c.issuer_safety_buffer,
    pause_duration: durationString(c.pause_duration),
  };
}

async function tidy(ctx: Ctx<TidyFields>) {
  const config = merge(DEFAULT_TIDY, ctx.fields);
  if (!ANY.some((k) => config[k])) {
    return { status: 202, warnings: [`Manual tidy requested but no tidy operations were set. Enable at least one tidy operation to be run (${ANY.join(', ')}).`] };
  }
  if (isTidying(ctx.mount.uuid)) throw invalidRequest('a tidy operation is already in progress on this mount; see tidy-status, or tidy-cancel it');
  // In the background: the answer does not wait, and the client going away does not stop it.
  void runTidy({ storage: ctx.storage, logger: ctx.logger, mount: ctx.mount, system: ctx.system, clock: ctx.clock, random: ctx.random }, config);
  return { status: 202, warnings: ["Tidy operation successfully started. Any information from the operation will be printed to the server's logs."] };
}

function statusData(mountUuid: string): Record<string, unknown> {
  const s = tidyStatus(mountUuid);
  const c = s.config;
  return {
    ...(c ? configData(c) : Object.fromEntries([...ANY, 'safety_buffer', 'issuer_safety_buffer', 'pause_duration'].map((k) => [k, null]))),
    state: s.state,
    error: s.error ?? null,
    time_started: s.timeStarted ?? null,
    time_finished: s.state === 'Finished' || s.state === 'Error' || s.state === 'Cancelled' ? s.timeFinished ?? null : null,
    message: s.message ?? null,
    cert_store_deleted_count: s.certStoreDeleted,
    revoked_cert_deleted_count: s.revokedCertDeleted,
    missing_issuer_cert_count: s.missingIssuerCert,
    issuers_deleted_count: s.issuersDeleted,
    last_auto_tidy_finished: s.lastAutoTidyFinished ?? null,
  };
}

async function writeAuto(ctx: Ctx<AutoFields>) {
  const next = merge<AutoTidyConfig>(await autoTidyConfig(ctx), ctx.fields);
  if (next.interval_duration < 1) throw invalidRequest('interval_duration must be at least 1s');
  if (next.enabled && !ANY.some((k) => next[k])) throw invalidRequest(`auto-tidy enabled but no tidy operations were requested: enable at least one of ${ANY.join(', ')}`);
  await putAutoTidyConfig(ctx, next);
  return { data: autoData(next) };
}

const autoData = (c: AutoTidyConfig) => ({ enabled: c.enabled, interval_duration: c.interval_duration, ...configData(c) });

export function tidyPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'tidy',
      fields: tidyFields,
      operations: { update: tidy },
      help: { synopsis: 'Remove expired certificates and revocation entries in the background; answers 202 at once.' },
    }),
    definePath({
      pattern: 'tidy-status',
      operations: { read: (ctx) => ({ data: statusData(ctx.mount.uuid) }) },
      help: { synopsis: "The last or running tidy's settings, state, counts and times." },
    }),
    definePath({
      pattern: 'tidy-cancel',
      operations: {
        update: (ctx) => (cancelTidy(ctx.mount.uuid) ? { data: statusData(ctx.mount.uuid) } : { data: statusData(ctx.mount.uuid), warnings: ['Tidy operation cannot be cancelled as none is currently running.'] }),
      },
      help: { synopsis: 'Stop a running tidy at its next entry.' },
    }),
    definePath({
      pattern: 'config/auto-tidy',
      fields: autoFields,
      operations: { read: async (ctx) => ({ data: autoData(await autoTidyConfig(ctx)) }), update: writeAuto },
      help: { synopsis: 'Run tidy from the periodic function every interval_duration.' },
    }),
  ];
}
