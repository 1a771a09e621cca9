/** The database engine's entries in its mount's storage view: `config/<name>` and `role/<name>`. */
import { getJson, putJson, type Storage } from '../../logical/storage.js';

export interface DbConfig {
  plugin_name: string;
  /** May hold `{{username}}` and `{{password}}`; stored as written. */
  connection_url: string;
  username: string;
  /** Never answered to a read. */
  password: string;
  /** Role names or globs (`*`, `dev-*`); empty allows no role. */
  allowed_roles: string[];
  verify_connection: boolean;
  root_rotation_statements: string[];
  password_policy: string;
  username_template: string;
  max_open_connections: number;
  max_idle_connections: number;
  /** seconds */
  max_connection_lifetime: number;
  /** How a plugin sends passwords: `password` (as is) or, for PostgreSQL, `scram-sha-256` (a verifier). */
  password_authentication: string;
  /** A root password being rotated to (root-rotation.ts); never answered to a read. */
  pending_password?: string;
}

export interface DbRole {
  db_name: string;
  /** seconds; 0 = the mount's */
  default_ttl: number;
  max_ttl: number;
  creation_statements: string[];
  revocation_statements: string[];
  rollback_statements: string[];
  renew_statements: string[];
  credential_type: 'password';
}

/** What a lease of a credential remembers, to renew and revoke it later. */
export interface CredsLeaseData {
  username: string;
  role: string;
  db_name: string;
}

export const CONFIG_DEFAULTS: Omit<DbConfig, 'plugin_name' | 'connection_url'> = {
  username: '',
  password: '',
  allowed_roles: [],
  verify_connection: true,
  root_rotation_statements: [],
  password_policy: '',
  username_template: '',
  max_open_connections: 4,
  max_idle_connections: 0,
  max_connection_lifetime: 0,
  password_authentication: 'password',
};

export const readConfig = (s: Storage, name: string) => getJson<DbConfig>(s, `config/${name}`);
export const writeConfig = (s: Storage, name: string, c: DbConfig) => putJson(s, `config/${name}`, c);
export const readRole = (s: Storage, name: string) => getJson<DbRole>(s, `role/${name}`);
export const writeRole = (s: Storage, name: string, r: DbRole) => putJson(s, `role/${name}`, r);
