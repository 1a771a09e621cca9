/**
 * What an ldap mount keeps in its view: `config` (how to reach and search the directory, and
 * the token parameters of every login), `group/<name>` (policies for an LDAP group) and
 * `user/<name>` (extra groups and policies for one user). Names are lower-cased unless the
 * config says case_sensitive_names, so `Admins` and `admins` are one entry.
 */
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TokenParams } from '../shared/token-params.js';

export type DerefAliases = 'never' | 'finding' | 'searching' | 'always';

export interface LdapConfig {
  /** One or more servers, tried in order until one answers. */
  urls: string[];
  startTls: boolean;
  insecureTls: boolean;
  /** PEM CA (or server) certificate the directory's TLS certificate is checked against. */
  certificate: string;
  clientTlsCert: string;
  /** Never returned by a read. */
  clientTlsKey: string;
  tlsMinVersion: string;
  tlsMaxVersion: string;
  bindDn: string;
  /** Never returned by a read, never logged. */
  bindPass: string;
  userDn: string;
  userAttr: string;
  userFilter: string;
  upnDomain: string;
  discoverDn: boolean;
  denyNullBind: boolean;
  anonymousGroupSearch: boolean;
  groupDn: string;
  groupFilter: string;
  groupAttr: string;
  usernameAsAlias: boolean;
  caseSensitiveNames: boolean;
  useTokenGroups: boolean;
  /** seconds */
  requestTimeout: number;
  connectionTimeout: number;
  derefAliases: DerefAliases;
  maxPageSize: number;
  token: TokenParams;
}

export interface LdapGroup {
  policies: string[];
}

export interface LdapUser {
  groups: string[];
  policies: string[];
}

export const GROUP_PREFIX = 'group/';
export const USER_PREFIX = 'user/';

export const getConfig = (s: Storage) => getJson<LdapConfig>(s, 'config');
export const putConfig = (s: Storage, c: LdapConfig) => putJson(s, 'config', c);
export const getGroup = (s: Storage, name: string) => getJson<LdapGroup>(s, GROUP_PREFIX + name);
export const getUser = (s: Storage, name: string) => getJson<LdapUser>(s, USER_PREFIX + name);

/** How a user or group name is keyed: trimmed (CVE-2025-6004), lower-cased unless case-sensitive. */
export const canonicalName = (raw: string, caseSensitive: boolean): string => (caseSensitive ? raw.trim() : raw.trim().toLowerCase());
