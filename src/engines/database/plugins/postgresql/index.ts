/** postgresql-database-plugin: users as PostgreSQL roles, through the `pg` driver. */
import type { DatabasePlugin } from '../plugin.js';
import { PluginInputError } from '../plugin.js';
import { PostgresConnection, renderConnectionUrl } from './connection.js';

export const postgresqlPlugin: DatabasePlugin = {
  names: ['postgresql-database-plugin'],
  // Vault's default: display and role names cut to 8, then cut to PostgreSQL's 63-byte names.
  defaultUsernameTemplate: '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}',
  maxUsernameLength: 63,
  passwordAuthentications: ['password', 'scram-sha-256'],
  checkConnectionUrl(url) {
    let parsed: URL;
    try {
      parsed = new URL(renderConnectionUrl(url, 'u', 'p'));
    } catch {
      throw new PluginInputError('connection_url is not a valid URL: use postgresql://{{username}}:{{password}}@host:5432/dbname');
    }
    if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
      throw new PluginInputError(`connection_url must start with postgresql:// or postgres://, not ${parsed.protocol.slice(0, 20)}//`);
    }
    if (!parsed.hostname && !parsed.searchParams.get('host')) throw new PluginInputError('connection_url names no host');
  },
  open: (settings, logger) => new PostgresConnection(settings, logger),
};
