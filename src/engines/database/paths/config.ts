/**
 * config/ (LIST) and config/:name: how to reach one database, which plugin speaks to it,
 * which roles may use it. A write opens (and by default verifies) a new pool before
 * anything is stored, so a config that cannot connect is refused and the old one stays.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { listEntries } from '../../../framework/listing.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { pluginOf, settingsOf, type ConnectionCache } from '../connections.js';
import { databaseError } from '../errors.js';
import { nameField, refuseUnknownFields, statementsField } from '../fields.js';
import { pluginNamed, pluginNames } from '../plugins/index.js';
import { PluginInputError } from '../plugins/plugin.js';
import { CONFIG_DEFAULTS, readConfig, writeConfig, type DbConfig } from '../storage.js';
import { renderUsername, TemplateError } from '../username-template.js';

const configFields = {
  name: nameField.describe('Name of this database connection'),
  plugin_name: z.string().optional().describe(`Plugin that speaks to the database: ${pluginNames().join(', ')}`),
  plugin_version: z.string().optional().describe('Accepted for compatibility; plugins are built in'),
  connection_url: z.string().optional().describe('Connection URL; may hold {{username}} and {{password}}'),
  username: z.string().optional().describe('Root user, templated into connection_url'),
  password: z.string().optional().describe('Root password, templated into connection_url; never read back'),
  allowed_roles: f.commaList().optional().describe('Role names or globs that may use this database; empty allows none'),
  verify_connection: f.bool().optional().describe('Connect before storing the config (default true)'),
  root_rotation_statements: statementsField().optional().describe('Statements that set the root password on rotate-root'),
  password_policy: z.string().optional().describe('Password policy for generated passwords; default: 20 characters'),
  username_template: z.string().optional().describe('Template of generated usernames'),
  max_open_connections: f.int().refine((n) => n >= 0 && n <= 1000, 'expected 0 to 1000').optional().describe('Pool size (default 4)'),
  max_idle_connections: f.int().refine((n) => n >= 0, 'expected 0 or more').optional().describe('Accepted for compatibility'),
  max_connection_lifetime: f.duration().optional().describe('Close pooled connections older than this; 0 never'),
  password_authentication: z.string().optional().describe('PostgreSQL: "password" (default) or "scram-sha-256" (send SCRAM verifiers, never the password)'),
};
type ConfigFields = z.infer<z.ZodObject<typeof configFields>>;
type Ctx = HandlerContext<ConfigFields>;

/** Vault's read shape: connection settings under connection_details, the password never. */
function configView(c: DbConfig): Record<string, unknown> {
  return {
    plugin_name: c.plugin_name,
    plugin_version: '',
    connection_details: {
      connection_url: redactUrlPassword(c.connection_url),
      username: c.username,
      max_open_connections: c.max_open_connections,
      max_idle_connections: c.max_idle_connections,
      max_connection_lifetime: `${c.max_connection_lifetime}s`,
      password_authentication: c.password_authentication ?? 'password',
      ...(c.username_template ? { username_template: c.username_template } : {}),
    },
    allowed_roles: c.allowed_roles,
    root_credentials_rotate_statements: c.root_rotation_statements,
    password_policy: c.password_policy,
    verify_connection: c.verify_connection,
  };
}

/**
 * A password written literally into the connection string (not templated) is shown as Vault
 * shows it: in URLs (`scheme://user:pw@host`) and in Go-style DSNs (`user:pw@tcp(host)/`,
 * where the password runs to the last `@` before the address).
 */
export function redactUrlPassword(url: string): string {
  const m = /^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:/@\s]*:)(.*)@((?:tcp|unix)?\(|\/|[^@]*$)/is.exec(url);
  if (!m || /^\{\{\s*password\s*\}\}$/.test(m[2]!) || m[2] === '') return url;
  return `${m[1]}xxxxx@${url.slice(m[1]!.length + m[2]!.length + 1)}`;
}

function hasLiteralPassword(url: string): boolean {
  return redactUrlPassword(url) !== url;
}

export function configPaths(connections: ConnectionCache): PathDefinition[] {
  async function write(ctx: Ctx): Promise<Response | null> {
    refuseUnknownFields(ctx.raw, configFields);
    const { name, ...given } = ctx.fields;
    const existing = await readConfig(ctx.storage, name);
    const next: DbConfig = { ...CONFIG_DEFAULTS, plugin_name: '', connection_url: '', ...existing };
    for (const [key, value] of Object.entries(given)) {
      if (value !== undefined && key !== 'plugin_version') (next as unknown as Record<string, unknown>)[key] = value;
    }
    // A new root password from the operator makes a pending rotation moot.
    if (given.password !== undefined) delete next.pending_password;
    if (!next.plugin_name) throw invalidRequest('plugin_name is required');
    if (!pluginNamed(next.plugin_name)) throw invalidRequest(`unknown plugin_name "${next.plugin_name}": use one of ${pluginNames().join(', ')}`);
    const plugin = pluginOf(next);
    if (!next.connection_url) throw invalidRequest('connection_url is required');
    try {
      plugin.checkConnectionUrl(next.connection_url);
    } catch (err) {
      if (err instanceof PluginInputError) throw invalidRequest(`invalid connection_url: ${err.message}`);
      throw err;
    }
    if (!plugin.passwordAuthentications.includes(next.password_authentication)) {
      throw invalidRequest(`password_authentication "${next.password_authentication}" is not supported by ${next.plugin_name}: use ${plugin.passwordAuthentications.join(' or ')}`);
    }
    if (next.username_template) checkTemplate(next.username_template);
    if (next.password_policy) await ctx.passwords!.generate(next.password_policy);
    const conn = plugin.open(settingsOf(next), ctx.logger.named(`db.${name}`));
    if (next.verify_connection) {
      try {
        await conn.verify();
      } catch (err) {
        await conn.close();
        throw databaseError(err, name, [next.password, next.connection_url], true);
      }
    }
    await writeConfig(ctx.storage, name, next);
    await connections.replace(name, conn);
    return hasLiteralPassword(next.connection_url)
      ? { warnings: ['Password found in connection_url: template it as {{password}} so rotate-root works and reads never show it.'] }
      : null;
  }

  return [
    definePath({
      pattern: 'config/?',
      operations: {
        list: (ctx) => listEntries(ctx.storage, 'config/', {}),
      },
      help: { synopsis: 'List the configured database connections.' },
    }),
    definePath({
      pattern: 'config/:name',
      fields: configFields,
      existenceCheck: async (ctx) => (await readConfig(ctx.storage, ctx.fields.name)) !== null,
      operations: {
        update: write,
        read: async (ctx) => {
          const config = await readConfig(ctx.storage, ctx.fields.name);
          return config ? { data: configView(config) } : null;
        },
        delete: async (ctx) => {
          await ctx.storage.delete(`config/${ctx.fields.name}`);
          await connections.replace(ctx.fields.name);
          return null;
        },
      },
      help: {
        synopsis: 'Configure, read or delete a database connection.',
        description:
          'A write names the plugin, the connection URL (with {{username}} and {{password}} templated from username and password) and the ' +
          'roles allowed to use it; it connects first unless verify_connection=false. Reads never include the password.',
      },
    }),
  ];
}

function checkTemplate(template: string): void {
  try {
    renderUsername(template, { DisplayName: 'token', RoleName: 'role' });
  } catch (err) {
    if (err instanceof TemplateError) throw invalidRequest(`invalid username_template: ${err.message}`);
    throw err;
  }
}
