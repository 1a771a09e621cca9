/**
 * config/crl as stored: how long CRLs and OCSP answers are valid, whether revocations rebuild
 * the CRL at once or leave it to the periodic function (auto_rebuild), and delta CRLs.
 * Durations are kept in seconds and answered as Go-style strings, as Vault reads them back.
 */
import { getJson, putJson, type Storage } from '../../logical/storage.js';

export interface CrlConfig {
  expiry: number;
  disable: boolean;
  ocsp_disable: boolean;
  ocsp_expiry: number;
  auto_rebuild: boolean;
  auto_rebuild_grace_period: number;
  enable_delta: boolean;
  delta_rebuild_interval: number;
}

/** Vault's defaults. */
export const DEFAULT_CRL_CONFIG: CrlConfig = {
  expiry: 72 * 3600,
  disable: false,
  ocsp_disable: false,
  ocsp_expiry: 12 * 3600,
  auto_rebuild: false,
  auto_rebuild_grace_period: 12 * 3600,
  enable_delta: false,
  delta_rebuild_interval: 15 * 60,
};

const KEY = 'config/crl';

export async function crlConfig(s: Storage): Promise<CrlConfig> {
  return { ...DEFAULT_CRL_CONFIG, ...((await getJson<Partial<CrlConfig>>(s, KEY)) ?? {}) };
}

export const putCrlConfig = (s: Storage, c: CrlConfig) => putJson(s, KEY, c);

/** 259200 → "72h", 900 → "15m", 90 → "90s": the shape Vault's own defaults read back in. */
export function durationString(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
