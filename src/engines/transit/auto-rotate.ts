/**
 * Scheduled rotation (auto_rotate_period): on the backend's periodic tick, every key whose
 * latest version is at least its period old gets a new version. Checked at most every five
 * minutes (by the mount's clock), so a key rotates at most that late; Vault checks hourly.
 */
import type { BackgroundContext } from '../../framework/backend.js';
import type { KeyStore } from './key-store.js';
import { rotateKey, type TransitKey } from './transit-key.js';

const CHECK_EVERY_MS = 5 * 60_000;

function due(key: TransitKey, now: number): boolean {
  const period = key.settings.autoRotatePeriod;
  if (period <= 0) return false;
  const latest = key.versions.get(key.settings.latestVersion);
  return !!latest && now - latest.created >= period * 1000;
}

export function autoRotator(store: KeyStore) {
  let nextCheck = 0;
  return async function autoRotate(ctx: BackgroundContext): Promise<void> {
    const now = ctx.clock();
    if (now < nextCheck) return;
    nextCheck = now + CHECK_EVERY_MS;
    for (const name of await store.list(ctx.storage, '', 0)) {
      try {
        const key = await store.get(ctx.storage, name);
        if (!key || !due(key, now)) continue;
        const rotated = await store.update(ctx.storage, name, async (current) => {
          if (!current || !due(current, now)) return { result: 0 };
          const next = await rotateKey(current, now);
          return { next, result: next.settings.latestVersion };
        });
        if (rotated) ctx.logger.info('rotated key on schedule', { key: name, version: rotated });
      } catch (err) {
        // One key's failure does not hold back the others; it is tried again next time.
        ctx.logger.warn('scheduled rotation failed', { key: name, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
}
