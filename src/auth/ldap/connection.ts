/**
 * Reaching the directory: each url of the config in turn until one answers within
 * connection_timeout (Vault's failover list), over ldap://, ldaps:// or ldap:// with StartTLS.
 * The socket is opened here rather than by ldapts so a dead first server costs one connect
 * timeout and the next one is tried; ldapts then speaks LDAP over the open socket.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';
import type { LdapConfig } from './storage.js';

const TLS_VERSIONS: Record<string, tls.SecureVersion> = { tls10: 'TLSv1', tls11: 'TLSv1.1', tls12: 'TLSv1.2', tls13: 'TLSv1.3' };
export const TLS_VERSION_NAMES = Object.keys(TLS_VERSIONS);

/** Why no server could be reached; carries no secret (urls and socket errors only). */
export class DialError extends Error {}

interface Target {
  url: string;
  secure: boolean;
  host: string;
  port: number;
}

/** A url of the config as a connect target, or a message saying what is wrong with it. */
export function parseLdapUrl(raw: string): Target | string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `invalid url ${JSON.stringify(raw.slice(0, 100))}`;
  }
  if (u.protocol !== 'ldap:' && u.protocol !== 'ldaps:') return `invalid LDAP scheme in url ${JSON.stringify(raw.slice(0, 100))}: use ldap:// or ldaps://`;
  if (u.hostname === '') return `url ${JSON.stringify(raw.slice(0, 100))} has no host`;
  const secure = u.protocol === 'ldaps:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `${u.protocol}//${u.host}`, secure, host, port: u.port ? Number(u.port) : secure ? 636 : 389 };
}

export function tlsOptions(cfg: LdapConfig, host: string): tls.ConnectionOptions {
  return {
    host,
    servername: net.isIP(host) ? undefined : host,
    ca: cfg.certificate !== '' ? cfg.certificate : undefined,
    cert: cfg.clientTlsCert !== '' ? cfg.clientTlsCert : undefined,
    key: cfg.clientTlsKey !== '' ? cfg.clientTlsKey : undefined,
    rejectUnauthorized: !cfg.insecureTls,
    minVersion: TLS_VERSIONS[cfg.tlsMinVersion] ?? 'TLSv1.2',
    maxVersion: TLS_VERSIONS[cfg.tlsMaxVersion] ?? 'TLSv1.3',
  };
}

function openSocket(target: Target, cfg: LdapConfig): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = target.secure
      ? tls.connect({ ...tlsOptions(cfg, target.host), port: target.port })
      : net.connect({ host: target.host, port: target.port });
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${cfg.connectionTimeout}s`)), cfg.connectionTimeout * 1000);
    socket.once('error', fail);
    socket.once(target.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}

/** A client on the first server that answers (StartTLS done when configured); the caller unbinds it. */
export async function dial(cfg: LdapConfig): Promise<Client> {
  const problems: string[] = [];
  for (const raw of cfg.urls) {
    const target = parseLdapUrl(raw);
    if (typeof target === 'string') {
      problems.push(target);
      continue;
    }
    try {
      const socket = await openSocket(target, cfg);
      const client = new Client({
        url: target.url,
        timeout: cfg.requestTimeout > 0 ? cfg.requestTimeout * 1000 : undefined,
        strictDN: false,
        createConnection: () => socket,
        ...(target.secure ? { createSecureConnection: () => socket as tls.TLSSocket } : {}),
      });
      if (cfg.startTls && !target.secure) {
        try {
          await client.startTLS(tlsOptions(cfg, target.host));
        } catch (err) {
          await client.unbind().catch(() => undefined);
          throw err;
        }
      }
      return client;
    } catch (err) {
      problems.push(`${target.url}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new DialError(`ldap operation failed: failed to connect to LDAP server: ${problems.join('; ')}`);
}
