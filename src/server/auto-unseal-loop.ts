/**
 * Start-up with an auto-unseal seal: keep asking the provider until it answers. While it does
 * not, the server stays sealed and says why in the log, with a growing pause between tries;
 * nothing but a decrypted unseal key that opens the root key ever unseals it.
 */
import type { Core } from '../core/core.js';
import type { Logger } from '../logging/logger.js';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export function startAutoUnseal(core: Core, logger: Logger): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = FIRST_RETRY_MS;
  const attempt = async (): Promise<void> => {
    if (stopped) return;
    try {
      await core.seal.ready();
      // Not initialized: sys/init unseals it. Already unsealed: nothing to do.
      if (!(await core.isInitialized()) || !core.sealed) return;
      await core.seal.autoUnseal();
      logger.info('unsealed through the transit seal');
    } catch (err) {
      if (stopped) return;
      const reason = err instanceof Error ? err.message : String(err);
      logger.warn(`auto-unseal failed, the server stays sealed; retrying in ${Math.round(delay / 1000)}s: ${reason}`);
      timer = setTimeout(() => void attempt(), delay);
      timer.unref();
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  };
  void attempt();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
