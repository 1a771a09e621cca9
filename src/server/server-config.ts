/** The server's configuration, after parsing: what `coffer server` needs to start. */
import type { LogLevel } from '../logging/logger.js';
import type { TransitSealConfig } from '../seal/transit-provider.js';

export interface ListenerConfig {
  /** host:port */
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** bytes */
  maxRequestSize: number;
  /**
   * `disable_unauthed_rekey_endpoints` (default true, dev mode too): sys/rekey/* and
   * sys/rekey-recovery-key/* need a token with sudo on this listener. Anyone who can reach
   * an unauthenticated rekey could start one or cancel an operator's (OpenBao's CVE-2025-52894).
   */
  disableUnauthedRekeyEndpoints: boolean;
  /**
   * `disable_unauthed_generate_root_endpoints` (default true): sys/generate-root/* needs a
   * token with sudo on this listener. An operator who lost every root token turns it off
   * for the time of a recovery; sys/generate-root-token/* needs a token either way.
   */
  disableUnauthedGenerateRootEndpoints: boolean;
}

export interface ServerConfig {
  storage: { type: string; config: Record<string, string> };
  listeners: ListenerConfig[];
  ui: boolean;
  apiAddr?: string;
  clusterAddr?: string;
  /** seconds */
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  logLevel: LogLevel;
  /** Auto-unseal (`seal "transit"`); absent: Shamir unseal keys. */
  seal?: { type: 'transit'; config: TransitSealConfig };
  /** `disable_api_audit_creation = true`: sys/audit/:path cannot enable devices (403). */
  disableApiAuditCreation: boolean;
  /** The file this configuration was read from, absolute; a file audit device may not write beside it. */
  configFile?: string;
}

export const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;

export function devConfig(listenAddress = '127.0.0.1:8200'): ServerConfig {
  return {
    storage: { type: 'inmem', config: {} },
    listeners: [
      {
        address: listenAddress,
        tlsDisable: true,
        maxRequestSize: DEFAULT_MAX_REQUEST_SIZE,
        disableUnauthedRekeyEndpoints: true,
        disableUnauthedGenerateRootEndpoints: true,
      },
    ],
    ui: true,
    defaultLeaseTtl: 0,
    maxLeaseTtl: 0,
    logLevel: 'info',
    disableApiAuditCreation: false,
  };
}
