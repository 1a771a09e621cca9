/**
 * Backends' periodic work (tidying, rotation schedules), about once a minute while unsealed.
 * A run never overlaps the previous one, and one backend's failure does not stop the others.
 */
import type { Logger } from '../logging/logger.js';
import type { Router } from './router.js';

export function startPeriodic(router: Router, logger: Logger, intervalMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      for (const route of router.all()) {
        if (!route.backend.periodic) continue;
        try {
          await route.backend.periodic(route.base);
        } catch (err) {
          logger.warn('periodic function failed', { mount: route.routedPath, error: err instanceof Error ? err.message : String(err) });
        }
      }
    })().finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
