/** The server's configuration, after parsing: what `coffer server` needs to start. */
import type { ConfiguredAuditDevice } from '../core/audit/configured-devices.js';
import type { LogLevel } from '../logging/logger.js';
import type { TransitSealConfig } from '../seal/transit-provider.js';

export interface ListenerConfig {
  /** host:port */
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** `tls_client_ca_file`: the CAs the TLS layer checks client certificates against when it verifies them. */
  tlsClientCaFile?: string;
  /**
   * `tls_require_and_verify_client_cert`: the handshake fails without a client certificate
   * that chains to tls_client_ca_file (or the system CAs). Off by default: like Vault, the
   * listener asks for any certificate and leaves judging it to the cert auth method.
   */
  tlsRequireAndVerifyClientCert?: boolean;
  /** `tls_disable_client_certs`: the listener never asks for a client certificate. */
  tlsDisableClientCerts?: boolean;
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
  /** `unsafe_allow_api_audit_creation`: sys/audit/:path may enable devices. Off for a configuration file (403), on in dev mode. */
  unsafeAllowApiAuditCreation: boolean;
  /** `allow_audit_log_prefixing`: a device may have a `prefix` option. */
  allowAuditLogPrefixing: boolean;
  /** The `audit "<type>" "<path>" { ... }` stanzas: devices created at unseal, out of the API's reach. */
  audits: ConfiguredAuditDevice[];
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
    // Dev mode is for trying the API out, audit devices included; prefixes stay off, as
    // they would be in a file (a prefix on a new file in /etc/cron.d is still a cron line).
    unsafeAllowApiAuditCreation: true,
    allowAuditLogPrefixing: false,
    audits: [],
  };
}
