/**
 * MySQL connection strings as Vault takes them: Go's DSN form
 * `user:password@tcp(host:port)/dbname?params` (or `unix(/path/to/socket)`), and for
 * convenience `mysql://` URLs. The template is parsed before `{{username}}` and
 * `{{password}}` are filled in, so no character of a password can change where it ends.
 */
import { PluginInputError } from '../plugin.js';

export interface MysqlTarget {
  host?: string;
  port?: number;
  socketPath?: string;
  database?: string;
  /** As written, still templated. */
  user: string;
  password: string;
  /** From the DSN's `tls` parameter: verified TLS, TLS without verification, or none. */
  tls?: 'verify' | 'skip-verify';
}

/** DSN parameters of Go's driver that change nothing a user would rely on for safety: accepted and left to mysql2's defaults. */
const HARMLESS_PARAMS = new Set(['charset', 'collation', 'parseTime', 'loc', 'timeout', 'readTimeout', 'writeTimeout', 'interpolateParams', 'allowNativePasswords', 'multiStatements', 'columnsWithAlias', 'clientFoundRows', 'maxAllowedPacket']);

/**
 * `tls` is honoured, never dropped: a DSN asking for TLS must not silently connect in the
 * clear. Any other parameter this plugin does not know is refused for the same reason.
 */
function tlsOf(params: string | undefined): MysqlTarget['tls'] {
  let tls: MysqlTarget['tls'];
  for (const [key, value] of new URLSearchParams(params ?? '')) {
    if (key === 'tls') {
      if (value === 'true') tls = 'verify';
      else if (value === 'skip-verify' || value === 'preferred') tls = 'skip-verify';
      else if (value !== 'false') throw new PluginInputError(`connection_url: tls=${value.slice(0, 20)} is not supported; use true, skip-verify or false`);
    } else if (!HARMLESS_PARAMS.has(key)) {
      throw new PluginInputError(`connection_url: the parameter "${key.slice(0, 40)}" is not supported`);
    }
  }
  return tls;
}

const GO_DSN = /^(?:(?<auth>.*)@)?(?<net>tcp|unix)?(?:\((?<addr>[^)]*)\))?\/(?<db>[^?]*)(?:\?(?<params>.*))?$/s;

export function parseMysqlDsn(dsn: string): MysqlTarget {
  if (/^mysql:\/\//i.test(dsn)) return parseUrl(dsn);
  const m = GO_DSN.exec(dsn);
  if (!m?.groups) throw new PluginInputError('connection_url is not a MySQL DSN: use {{username}}:{{password}}@tcp(host:3306)/ or mysql://');
  const { auth = '', net = 'tcp', addr = '', db = '', params } = m.groups;
  const colon = auth.indexOf(':');
  const target: MysqlTarget = {
    user: colon < 0 ? auth : auth.slice(0, colon),
    password: colon < 0 ? '' : auth.slice(colon + 1),
    database: db || undefined,
    ...(tlsOf(params) ? { tls: tlsOf(params) } : {}),
  };
  if (net === 'unix') {
    if (!addr.startsWith('/')) throw new PluginInputError('connection_url: unix(...) needs an absolute socket path');
    target.socketPath = addr;
    return target;
  }
  const [host, port] = splitHostPort(addr || '127.0.0.1:3306');
  return { ...target, host, port };
}

function splitHostPort(addr: string): [string, number] {
  const m = /^(?:\[(?<v6>[^\]]+)\]|(?<host>[^:]*))(?::(?<port>\d+))?$/.exec(addr);
  if (!m?.groups) throw new PluginInputError('connection_url: the address must be host:port');
  const port = m.groups.port ? Number(m.groups.port) : 3306;
  if (port < 1 || port > 65535) throw new PluginInputError('connection_url: the port must be 1 to 65535');
  return [m.groups.v6 ?? (m.groups.host || '127.0.0.1'), port];
}

function parseUrl(dsn: string): MysqlTarget {
  // Placeholders hold braces that URL parsing would encode: swap them out and back.
  const u = dsn.replace(/\{\{\s*username\s*\}\}/g, 'COFFERUSER').replace(/\{\{\s*password\s*\}\}/g, 'COFFERPASS');
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new PluginInputError('connection_url is not a valid mysql:// URL');
  }
  const back = (s: string) => decodeURIComponent(s).replace('COFFERUSER', '{{username}}').replace('COFFERPASS', '{{password}}');
  const tls = tlsOf(url.search.slice(1));
  return {
    ...(tls ? { tls } : {}),
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    database: url.pathname.slice(1) || undefined,
    user: back(url.username),
    password: back(url.password),
  };
}

/** A templated field with the config's username and password filled in. */
export function fillCredentials(field: string, username: string, password: string): string {
  return field.replace(/\{\{\s*username\s*\}\}/g, () => username).replace(/\{\{\s*password\s*\}\}/g, () => password);
}
