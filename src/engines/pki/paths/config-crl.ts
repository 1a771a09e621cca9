/**
 * config/crl: CRL and OCSP lifetimes, auto_rebuild, delta CRLs and `disable`. A write is
 * checked as a whole (Vault's rules between the durations) and then every CRL is rebuilt,
 * so what is served follows the new settings at once.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { crlConfig, durationString, putCrlConfig, type CrlConfig } from '../crl-config.js';
import { rebuildAll } from '../crl.js';
import type { Ctx } from './common.js';

const fields = {
  expiry: f.duration().optional().describe('How long a CRL is valid (its nextUpdate); default 72h'),
  disable: f.bool().optional().describe('Serve empty CRLs'),
  ocsp_disable: f.bool().optional().describe('Answer every OCSP request "unauthorized"'),
  ocsp_expiry: f.duration().optional().describe("How long an OCSP answer is valid (its nextUpdate); 0 leaves nextUpdate out; default 12h"),
  auto_rebuild: f.bool().optional().describe('Rebuild CRLs in the periodic function rather than on each revocation'),
  auto_rebuild_grace_period: f.duration().optional().describe('With auto_rebuild: rebuild a CRL this long before it expires; default 12h'),
  enable_delta: f.bool().optional().describe('Also build delta CRLs (needs auto_rebuild)'),
  delta_rebuild_interval: f.duration().optional().describe('How often a delta CRL with news is rebuilt; default 15m'),
};
type Fields = z.infer<z.ZodObject<typeof fields>>;

export function crlConfigData(c: CrlConfig): Record<string, unknown> {
  return {
    expiry: durationString(c.expiry),
    disable: c.disable,
    ocsp_disable: c.ocsp_disable,
    ocsp_expiry: durationString(c.ocsp_expiry),
    auto_rebuild: c.auto_rebuild,
    auto_rebuild_grace_period: durationString(c.auto_rebuild_grace_period),
    enable_delta: c.enable_delta,
    delta_rebuild_interval: durationString(c.delta_rebuild_interval),
    cross_cluster_revocation: false,
    unified_crl: false,
    unified_crl_on_existing_paths: false,
  };
}

function check(c: CrlConfig): void {
  if (c.expiry <= 0) throw invalidRequest('expiry must be greater than 0');
  if (c.auto_rebuild && c.auto_rebuild_grace_period >= c.expiry) {
    throw invalidRequest(`CRL auto-rebuilding grace period (${durationString(c.auto_rebuild_grace_period)}) must be strictly shorter than CRL expiry (${durationString(c.expiry)}) when auto-rebuilding of CRLs is enabled`);
  }
  if (c.enable_delta && c.delta_rebuild_interval >= c.expiry) {
    throw invalidRequest(`CRL delta rebuild window (${durationString(c.delta_rebuild_interval)}) must be strictly shorter than CRL expiry (${durationString(c.expiry)}) when delta CRLs are enabled`);
  }
  if (c.enable_delta && c.delta_rebuild_interval < 1) throw invalidRequest('delta_rebuild_interval must be at least 1s');
  if (c.enable_delta && !c.auto_rebuild) throw invalidRequest('delta CRLs cannot be enabled when auto_rebuild is disabled: the complete CRL is then rebuilt on every revocation');
}

async function write(ctx: Ctx<Fields>) {
  const next = { ...(await crlConfig(ctx.storage)) };
  for (const k of Object.keys(fields) as (keyof Fields)[]) if (ctx.fields[k] !== undefined) (next as Record<string, unknown>)[k] = ctx.fields[k];
  check(next);
  await putCrlConfig(ctx.storage, next);
  await rebuildAll(ctx);
  return { data: crlConfigData(next) };
}

export function configCrlPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'config/crl',
      fields,
      operations: { read: async (ctx) => ({ data: crlConfigData(await crlConfig(ctx.storage)) }), update: write },
      help: { synopsis: 'Configure CRL and OCSP lifetimes, periodic rebuilding and delta CRLs; every CRL is rebuilt on write.' },
    }),
  ];
}
