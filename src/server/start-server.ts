/**
 * Starting a server from its configuration: storage, core, listeners; in dev mode also
 * init and unseal with one key share and print the root token.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { Core, type BackendRegistry } from '../core/core.js';
import type { RetryPolicy } from '../core/expiration/expiration-manager.js';
import type { EventStreamLimits } from '../http/event-stream.js';
import { createHttpServer, type ClientCertPolicy } from '../http/server.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { openPhysical, type PhysicalType } from '../physical/registry.js';
import { isHaCapable } from '../physical/ha-lock.js';
import { readMigrationLock } from './migration.js';
import { registry } from '../registry.js';
import { transitProvider } from '../seal/transit-provider.js';
import { startAutoUnseal } from './auto-unseal-loop.js';
import type { ListenerConfig, ServerConfig } from './server-config.js';

export interface DevOptions {
  rootTokenId?: string;
}

/** What an embedding program (tests, benchmarks) may add beyond the configuration. */
export interface StartOptions {
  /** Engines and auth methods beyond the built-in ones. */
  extraBackends?: Partial<BackendRegistry>;
  leaseRetry?: RetryPolicy;
  /** Queue bounds of sys/events/subscribe streams (tests make them small). */
  eventStreams?: Partial<EventStreamLimits>;
  /** unix ms; benchmarks move time forward to make leases due. */
  clock?: () => number;
}

export interface RunningServer {
  core: Core;
  logger: Logger;
  servers: FastifyInstance[];
  /** `http://127.0.0.1:8200` of the first listener, with the real port when 0 was asked. */
  address: string;
  dev?: { unsealKey: string; rootToken: string };
  close(): Promise<void>;
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  if (i === -1) throw new Error(`listener address "${address}" must be host:port`);
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`listener address "${address}" has a bad port`);
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/** Reads and checks a listener's certificate and key, naming the files when they do not fit. */
function loadTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  };
  const tls = { cert: read(certFile, 'tls_cert_file'), key: read(keyFile, 'tls_key_file') };
  try {
    createSecureContext(tls);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error:[0-9A-F]+:[^:]*:+/i, '') : String(err);
    throw new Error(`tls_cert_file ${certFile} and tls_key_file ${keyFile} cannot be used together: ${reason}`);
  }
  return tls;
}

/** How the listener treats client certificates (see ListenerConfig). */
function clientCertPolicy(listener: ListenerConfig): ClientCertPolicy {
  if (listener.tlsDisableClientCerts) return { mode: 'none' };
  let ca: Buffer | undefined;
  if (listener.tlsClientCaFile) {
    try {
      ca = readFileSync(listener.tlsClientCaFile);
    } catch (err) {
      throw new Error(`cannot read tls_client_ca_file ${listener.tlsClientCaFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      createSecureContext({ ca });
    } catch {
      throw new Error(`tls_client_ca_file ${listener.tlsClientCaFile} holds no usable PEM certificate`);
    }
  }
  return { mode: listener.tlsRequireAndVerifyClientCert ? 'require' : 'request', ...(ca ? { ca } : {}) };
}

/**
 * Stops accepting, lets requests in flight finish for a moment, then cuts what is left: a
 * client stalled in the middle of a body must not hold a shutdown for the request timeout.
 */
async function closeWithGrace(app: FastifyInstance, graceMs = 2000): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  timer.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

/** The server's own directories, which a file audit device may never write into. */
function protectedDirs(config: ServerConfig): string[] {
  const dirs: string[] = [];
  const dbPath = config.storage.config['path'];
  if (config.storage.type === 'sqlite' && dbPath && dbPath !== ':memory:') dirs.push(dirname(resolve(dbPath)));
  if (config.configFile) dirs.push(dirname(resolve(config.configFile)));
  return dirs;
}

export async function startServer(
  config: ServerConfig,
  dev?: DevOptions,
  logger = createLogger({ level: config.logLevel }),
  options: StartOptions = {},
): Promise<RunningServer> {
  if (config.listeners.length === 0) throw new Error('at least one listener is required');
  const physical = await openPhysical(config.storage.type as PhysicalType, config.storage.config);
  // As Vault: a server on storage being migrated would write into a copy in progress.
  const migration = await readMigrationLock(physical).catch(async (err: unknown) => {
    await physical.close().catch(() => undefined);
    throw err;
  });
  if (migration) {
    await physical.close().catch(() => undefined);
    throw new Error(
      `storage migration in progress (started: ${migration.start}): the server will not start until it completes; clear the lock of an interrupted migration with "coffer operator migrate -reset"`,
    );
  }
  // Without api_addr, a node advertises its first listener's address to the others: one on
  // 0.0.0.0 or :: names no host they can reach (a standby would forward to itself).
  if (isHaCapable(physical) && !config.apiAddr) {
    const host = splitAddress(config.listeners[0]!.address).host;
    if (host === '' || host === '0.0.0.0' || host === '::') {
      await physical.close().catch(() => undefined);
      throw new Error(
        `ha_enabled storage needs api_addr when the listener is on an unspecified address (${config.listeners[0]!.address}): set api_addr to the address the other nodes and clients reach this one at`,
      );
    }
  }
  const ha = { clusterAddr: config.clusterAddr ?? '' };
  const core = new Core({
    physical,
    registry: {
      secrets: { ...registry.secrets, ...options.extraBackends?.secrets },
      auth: { ...registry.auth, ...options.extraBackends?.auth },
    },
    leaseRetry: options.leaseRetry,
    clock: options.clock,
    sealProvider: config.seal ? transitProvider(config.seal.config) : undefined,
    logger: logger.named('core'),
    ha,
    defaultLeaseTtl: config.defaultLeaseTtl,
    maxLeaseTtl: config.maxLeaseTtl,
    extraDefaultMounts: dev ? [{ path: 'secret/', type: 'kv', description: 'key/value secret storage', options: { version: '2' } }] : [],
    audit: {
      allowApiCreation: config.unsafeAllowApiAuditCreation,
      allowPrefixing: config.allowAuditLogPrefixing,
      configured: config.audits,
      protectedDirs: protectedDirs(config),
    },
  });

  await core.seal.ready();
  let devInfo: RunningServer['dev'];
  if (dev) {
    const { keys, rootToken } = await core.initialize({ secretShares: 1, secretThreshold: 1 });
    await core.seal.submitUnsealKey(keys[0]!);
    let token = rootToken;
    if (dev.rootTokenId) {
      await core.tokens.revokeTree((await core.tokens.lookup(rootToken))!);
      token = (await core.createRootToken(dev.rootTokenId)).token;
    }
    devInfo = { unsealKey: keys[0]!.toString('base64'), rootToken: token };
  }

  const servers: FastifyInstance[] = [];
  let address = '';
  try {
    for (const listener of config.listeners) {
      const tls = listener.tlsDisable ? undefined : { ...loadTls(listener.tlsCertFile ?? '', listener.tlsKeyFile ?? ''), clientCerts: clientCertPolicy(listener) };
      const app = createHttpServer({
        core,
        logger: logger.named('http'),
        maxRequestSize: listener.maxRequestSize,
        tls,
        ui: config.ui,
        eventStreams: options.eventStreams,
        listener: {
          unauthedRekey: !listener.disableUnauthedRekeyEndpoints,
          unauthedGenerateRoot: !listener.disableUnauthedGenerateRootEndpoints,
        },
      });
      const { host, port } = splitAddress(listener.address);
      await app.listen({ host, port });
      servers.push(app);
      const bound = app.server.address();
      const realPort = typeof bound === 'object' && bound ? bound.port : port;
      if (!address) address = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${realPort}`;
    }
  } catch (err) {
    for (const s of servers) await s.close();
    await physical.close();
    throw err;
  }

  // Also what this node advertises in the HA lock.
  core.apiAddr = config.apiAddr || address;

  // Listeners first, so that while the seal's provider is unreachable the server answers,
  // sealed, and says so in sys/seal-status and sys/health.
  const stopAutoUnseal = config.seal && !dev ? startAutoUnseal(core, logger.named('seal')) : () => undefined;
  // SIGHUP: audit files are closed and opened again, so logrotate can move them away.
  const onHangup = () => {
    logger.info('SIGHUP: reopening audit devices');
    void core.reopenAuditDevices();
  };
  process.on('SIGHUP', onHangup);

  return {
    core,
    logger,
    servers,
    address,
    dev: devInfo,
    async close() {
      stopAutoUnseal();
      process.off('SIGHUP', onHangup);
      // The lock first: another node takes over while this one finishes its requests.
      await core.closeHa();
      await Promise.all(servers.map((s) => closeWithGrace(s)));
      await core.closeAudit();
      await physical.close();
    },
  };
}
