/**
 * The one interface every database plugin implements. The engine owns configuration,
 * roles, leases and passwords; a plugin only knows how to talk to its database: open a
 * pool, check it, and create, extend, drop or re-password a user from statement templates.
 */
import type { Logger } from '../../../logging/logger.js';

export interface ConnectionSettings {
  /** The configured URL, with `{{username}}` and `{{password}}` still in it. */
  connectionUrl: string;
  username: string;
  password: string;
  maxOpenConnections: number;
  maxIdleConnections: number;
  /** seconds; 0 = no limit */
  maxConnectionLifetime: number;
  /** One of the plugin's `passwordAuthentications`. */
  passwordAuthentication: string;
}

export interface NewUser {
  username: string;
  password: string;
  expiration: Date;
  creation: string[];
  /** Run after a failed creation was rolled back, for what a transaction cannot undo. */
  rollback: string[];
}

export interface DatabaseConnection {
  /** Connects and runs a trivial query; throws DatabaseUnreachable with the driver's reason. */
  verify(): Promise<void>;
  /** All creation statements in one transaction: on failure nothing of them stays. */
  createUser(user: NewUser): Promise<void>;
  /** Empty `statements`: the plugin's default (extend the user's validity). */
  renewUser(req: { username: string; expiration: Date; statements: string[] }): Promise<void>;
  /** Empty `statements`: the plugin's default (revoke, reassign or drop what it owns, drop). Idempotent. */
  revokeUser(req: { username: string; statements: string[] }): Promise<void>;
  /** Empty `statements`: the plugin's default password change. */
  setPassword(req: { username: string; password: string; statements: string[] }): Promise<void>;
  close(): Promise<void>;
}

export interface DatabasePlugin {
  /** The `plugin_name` values this plugin serves (Vault's names, aliases included). */
  names: string[];
  defaultUsernameTemplate: string;
  /** Longest username the database keeps without changing it (bytes). */
  maxUsernameLength: number;
  /** Values of `password_authentication` the plugin understands; the first is the default. */
  passwordAuthentications: string[];
  /** Syntax check of a connection URL at config time; throws PluginInputError naming what is wrong. */
  checkConnectionUrl(url: string): void;
  open(settings: ConnectionSettings, logger: Logger): DatabaseConnection;
}

/** Bad input a plugin found (a malformed URL): a 400. */
export class PluginInputError extends Error {
  override name = 'PluginInputError';
}

/** The database could not be reached or refused the login: a 502 naming the database. */
export class DatabaseUnreachable extends Error {
  override name = 'DatabaseUnreachable';
}

/** The database ran a statement and refused it (syntax, permissions): a 400 naming the statement. */
export class StatementFailed extends Error {
  override name = 'StatementFailed';
}
