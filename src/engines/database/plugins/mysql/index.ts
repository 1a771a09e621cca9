/**
 * The MySQL and MariaDB plugins, through `mysql2`: Vault's four names, which differ only
 * in the default username template and the longest username the server keeps (32, or 16
 * for the legacy, RDS and Aurora flavours).
 */
import type { DatabasePlugin } from '../plugin.js';
import { MysqlConnection } from './connection.js';
import { parseMysqlDsn } from './dsn.js';

const TEMPLATE_32 = '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 10) (.RoleName | truncate 10) (random 20) (unix_time) | truncate 32 }}';
const TEMPLATE_16 = '{{ printf "v-%s-%s" (.RoleName | truncate 4) (random 20) | truncate 16 }}';

function mysqlFlavour(names: string[], template: string, maxUsernameLength: number): DatabasePlugin {
  return {
    names,
    defaultUsernameTemplate: template,
    maxUsernameLength,
    passwordAuthentications: ['password'],
    checkConnectionUrl: (url) => void parseMysqlDsn(url),
    open: (settings, logger) => new MysqlConnection(settings, logger),
  };
}

// MySQL refuses a user name past its limit (32; MariaDB 80) rather than cutting it, so only the legacy 16 is checked here.
export const mysqlPlugin = mysqlFlavour(['mysql-database-plugin'], TEMPLATE_32, 80);
export const mysqlLegacyPlugin = mysqlFlavour(['mysql-legacy-database-plugin', 'mysql-rds-database-plugin', 'mysql-aurora-database-plugin'], TEMPLATE_16, 16);
