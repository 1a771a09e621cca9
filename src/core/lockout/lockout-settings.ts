/**
 * User lockout settings of one auth mount: Vault's defaults, overridden by the mount's
 * tuned `user_lockout_config`. Values of 0 (or absent) mean "the default".
 */
import { invalidRequest } from '../../errors.js';
import { parseDuration } from '../../framework/duration.js';

/** As stored in the mount entry's config; seconds for durations. */
export interface UserLockoutConfig {
  lockout_threshold?: number;
  lockout_duration?: number;
  lockout_counter_reset?: number;
  lockout_disable?: boolean;
}

export interface LockoutSettings {
  /** Failed logins that lock the alias. */
  threshold: number;
  /** How long a lock lasts, ms. */
  durationMs: number;
  /** A failure older than this no longer counts toward the threshold, ms. */
  counterResetMs: number;
  disabled: boolean;
}

export const DEFAULT_LOCKOUT_THRESHOLD = 5;
export const DEFAULT_LOCKOUT_SECONDS = 15 * 60;
export const DEFAULT_COUNTER_RESET_SECONDS = 15 * 60;

export function lockoutSettings(config: UserLockoutConfig | undefined): LockoutSettings {
  return {
    threshold: config?.lockout_threshold || DEFAULT_LOCKOUT_THRESHOLD,
    durationMs: (config?.lockout_duration || DEFAULT_LOCKOUT_SECONDS) * 1000,
    counterResetMs: (config?.lockout_counter_reset || DEFAULT_COUNTER_RESET_SECONDS) * 1000,
    disabled: config?.lockout_disable === true,
  };
}

const MAX_THRESHOLD = 1_000_000;

function thresholdOf(value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_THRESHOLD) {
    throw invalidRequest(`invalid user_lockout_config.lockout_threshold: expected a whole number of failed logins from 0 (the default, ${DEFAULT_LOCKOUT_THRESHOLD}) to ${MAX_THRESHOLD}`);
  }
  return n;
}

function durationOf(name: string, value: unknown): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw invalidRequest(`invalid user_lockout_config.${name}: expected a duration such as "15m" or a number of seconds`);
  return seconds;
}

function boolOf(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === '') return false;
  throw invalidRequest('invalid user_lockout_config.lockout_disable: expected true or false');
}

const KEYS = new Set(['lockout_threshold', 'lockout_duration', 'lockout_counter_reset', 'lockout_disable']);

/**
 * `user_lockout_config` of a tune request (Vault sends strings: `"lockout_threshold": "20"`,
 * `"lockout_duration": "5m"`), merged over the mount's current settings: keys left out keep
 * their value.
 */
export function parseUserLockoutConfig(raw: unknown, current: UserLockoutConfig | undefined): UserLockoutConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidRequest('user_lockout_config must be an object');
  const next: UserLockoutConfig = { ...current };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!KEYS.has(key)) throw invalidRequest(`unknown user_lockout_config key "${key.slice(0, 64)}": expected ${[...KEYS].join(', ')}`);
    if (value === null || value === undefined) continue;
    if (key === 'lockout_threshold') next.lockout_threshold = thresholdOf(value);
    else if (key === 'lockout_duration') next.lockout_duration = durationOf(key, value);
    else if (key === 'lockout_counter_reset') next.lockout_counter_reset = durationOf(key, value);
    else next.lockout_disable = boolOf(value);
  }
  return next;
}

/** The four `user_lockout_*` fields of Vault's tune read, with defaults filled in. */
export function describeLockout(config: UserLockoutConfig | undefined): Record<string, unknown> {
  const s = lockoutSettings(config);
  return {
    user_lockout_threshold: s.threshold,
    user_lockout_duration: s.durationMs / 1000,
    user_lockout_counter_reset_duration: s.counterResetMs / 1000,
    user_lockout_disable: s.disabled,
  };
}
