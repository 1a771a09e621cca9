/**
 * `config`: how this mount reaches and searches the directory, with Vault's field names and
 * defaults, and the token parameters every login gets. Writes change only the fields sent.
 * `bindpass` and `client_tls_key` are kept but never read back; every template, url and PEM
 * is checked before anything is stored, so a typo is a 400 now rather than failed logins later.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import { hasCertificate } from '../../../crypto/pem-bundle.js';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { FilterParser } from 'ldapts';
import { applyTokenFields, checkAgainstMount, defaultTokenParams, tokenFields, tokenParamsData, type TokenFieldValues } from '../../shared/token-params.js';
import { parseLdapUrl, TLS_VERSION_NAMES } from '../connection.js';
import { checkTemplate, renderFilter } from '../escape.js';
import { getConfig, putConfig, type DerefAliases, type LdapConfig } from '../storage.js';

export const DEFAULT_USER_FILTER = '({{.UserAttr}}={{.Username}})';
export const DEFAULT_GROUP_FILTER = '(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))';
const DEREF_VALUES = ['never', 'finding', 'searching', 'always'] as const;

const configFields = {
  url: z.string().optional().describe('LDAP server URL, or a comma-separated list tried in order (ldap:// or ldaps://)'),
  starttls: f.bool().optional().describe('Upgrade ldap:// connections with StartTLS'),
  insecure_tls: f.bool().optional().describe('Skip verification of the directory\u2019s TLS certificate'),
  certificate: z.string().optional().describe('PEM CA certificate the directory\u2019s TLS certificate is verified against'),
  client_tls_cert: z.string().optional().describe('PEM client certificate presented to the directory'),
  client_tls_key: z.string().optional().describe('PEM key of client_tls_cert; never returned'),
  tls_min_version: z.string().optional(),
  tls_max_version: z.string().optional(),
  binddn: z.string().optional().describe('DN of the service account that searches the directory'),
  bindpass: z.string().optional().describe('Password of binddn; never returned'),
  userdn: z.string().optional().describe('Base DN under which users are searched'),
  userattr: z.string().optional().describe('Attribute holding the username (default cn)'),
  userfilter: z.string().optional().describe('Go-template filter finding the user; {{.UserAttr}} and {{.Username}}'),
  upndomain: z.string().optional().describe('Bind as username@upndomain (Active Directory userPrincipalName)'),
  discoverdn: f.bool().optional().describe('Find the user\u2019s DN with a search before binding'),
  deny_null_bind: f.bool().optional().describe('Refuse logins with an empty password (default true)'),
  anonymous_group_search: f.bool().optional().describe('Search groups on a new anonymous connection'),
  groupdn: z.string().optional().describe('Base DN under which groups are searched'),
  groupfilter: z.string().optional().describe('Go-template filter finding the user\u2019s groups; {{.UserDN}} and {{.Username}}'),
  groupattr: z.string().optional().describe('Attribute of the group entries naming the group (default cn); memberOf reads DNs from the user entry'),
  username_as_alias: f.bool().optional().describe('Name the entity alias after the username given at login'),
  case_sensitive_names: f.bool().optional().describe('Match user and group names case-sensitively'),
  use_token_groups: f.bool().optional().describe('Active Directory: read groups from the user\u2019s tokenGroups'),
  use_pre111_group_cn_behavior: f.bool().optional(),
  request_timeout: f.duration().optional().describe('Time limit of each LDAP operation (default 90s)'),
  connection_timeout: f.duration().optional().describe('Time limit to connect to one server before trying the next (default 30s)'),
  dereference_aliases: z.string().optional().describe('never, finding, searching or always'),
  max_page_size: f.int().optional().describe('Page size of group searches; 0 = no paging'),
  ...tokenFields,
};

type ConfigFields = z.infer<z.ZodObject<typeof configFields>>;

export const defaultConfig = (): LdapConfig => ({
  urls: ['ldap://127.0.0.1'],
  startTls: false,
  insecureTls: false,
  certificate: '',
  clientTlsCert: '',
  clientTlsKey: '',
  tlsMinVersion: 'tls12',
  tlsMaxVersion: 'tls12',
  bindDn: '',
  bindPass: '',
  userDn: '',
  userAttr: 'cn',
  userFilter: DEFAULT_USER_FILTER,
  upnDomain: '',
  discoverDn: false,
  denyNullBind: true,
  anonymousGroupSearch: false,
  groupDn: '',
  groupFilter: DEFAULT_GROUP_FILTER,
  groupAttr: 'cn',
  usernameAsAlias: false,
  caseSensitiveNames: false,
  useTokenGroups: false,
  requestTimeout: 90,
  connectionTimeout: 30,
  derefAliases: 'never',
  maxPageSize: 0,
  token: defaultTokenParams(),
});

function checkFilter(field: string, template: string, placeholders: string[]): void {
  if (template === '') return;
  const problem = checkTemplate(template, placeholders);
  if (problem) throw invalidRequest(`invalid ${field}: ${problem}`);
  const sample = renderFilter(template, Object.fromEntries(placeholders.map((p) => [p, 'x'])));
  try {
    FilterParser.parseString(sample);
  } catch {
    throw invalidRequest(`invalid ${field}: not an LDAP filter once its placeholders are filled`);
  }
}

function checkConfig(c: LdapConfig): void {
  if (c.urls.length === 0) throw invalidRequest('at least one url must be provided');
  for (const url of c.urls) {
    const target = parseLdapUrl(url);
    if (typeof target === 'string') throw invalidRequest(target);
  }
  if (!c.discoverDn && (c.bindDn === '' || c.bindPass === '') && c.upnDomain === '' && c.userDn === '') {
    throw invalidRequest('cannot derive UserBindDN: set userdn, upndomain, discoverdn, or binddn with bindpass');
  }
  checkFilter('userfilter', c.userFilter, ['UserAttr', 'Username']);
  checkFilter('groupfilter', c.groupFilter, ['UserDN', 'Username']);
  if (c.certificate !== '' && !hasCertificate(c.certificate)) throw invalidRequest('failed to parse server tls cert: certificate holds no valid PEM certificate');
  if ((c.clientTlsCert === '') !== (c.clientTlsKey === '')) throw invalidRequest('both client_tls_cert and client_tls_key must be set');
  if (c.clientTlsCert !== '') {
    try {
      new X509Certificate(c.clientTlsCert);
      createPrivateKey(c.clientTlsKey);
      createSecureContext({ cert: c.clientTlsCert, key: c.clientTlsKey });
    } catch {
      throw invalidRequest('failed to parse client X509 key pair: client_tls_cert and client_tls_key must be a PEM certificate and its matching key');
    }
  }
  for (const [field, v] of [['tls_min_version', c.tlsMinVersion], ['tls_max_version', c.tlsMaxVersion]] as const) {
    if (!TLS_VERSION_NAMES.includes(v)) throw invalidRequest(`invalid '${field}': use ${TLS_VERSION_NAMES.join(', ')}`);
  }
  if (TLS_VERSION_NAMES.indexOf(c.tlsMaxVersion) < TLS_VERSION_NAMES.indexOf(c.tlsMinVersion)) throw invalidRequest("'tls_max_version' must be greater than or equal to 'tls_min_version'");
  if (c.requestTimeout < 0 || c.connectionTimeout <= 0) throw invalidRequest('request_timeout cannot be negative and connection_timeout must be positive');
  if (c.maxPageSize < 0) throw invalidRequest('max_page_size cannot be negative');
}

export function configData(c: LdapConfig): Record<string, unknown> {
  return {
    url: c.urls.join(','),
    starttls: c.startTls,
    insecure_tls: c.insecureTls,
    certificate: c.certificate,
    client_tls_cert: c.clientTlsCert,
    tls_min_version: c.tlsMinVersion,
    tls_max_version: c.tlsMaxVersion,
    binddn: c.bindDn,
    userdn: c.userDn,
    userattr: c.userAttr,
    userfilter: c.userFilter,
    upndomain: c.upnDomain,
    discoverdn: c.discoverDn,
    deny_null_bind: c.denyNullBind,
    anonymous_group_search: c.anonymousGroupSearch,
    groupdn: c.groupDn,
    groupfilter: c.groupFilter,
    groupattr: c.groupAttr,
    username_as_alias: c.usernameAsAlias,
    case_sensitive_names: c.caseSensitiveNames,
    use_token_groups: c.useTokenGroups,
    use_pre111_group_cn_behavior: false,
    request_timeout: c.requestTimeout,
    connection_timeout: c.connectionTimeout,
    dereference_aliases: c.derefAliases,
    max_page_size: c.maxPageSize,
    ...tokenParamsData(c.token),
  };
}

function parseDeref(raw: string | undefined, current: DerefAliases): DerefAliases {
  if (raw === undefined) return current;
  const v = raw.trim().toLowerCase();
  if (!(DEREF_VALUES as readonly string[]).includes(v)) throw invalidRequest(`invalid dereference_aliases ${JSON.stringify(raw.slice(0, 20))}: use ${DEREF_VALUES.join(', ')}`);
  return v as DerefAliases;
}

async function writeConfig(ctx: HandlerContext<ConfigFields>) {
  const v = ctx.fields;
  const current = (await getConfig(ctx.storage)) ?? defaultConfig();
  const warnings: string[] = [];
  const token = applyTokenFields(current.token, v as TokenFieldValues, warnings);
  checkAgainstMount(token, ctx.system.maxLeaseTtl, warnings);
  const next: LdapConfig = {
    urls: v.url !== undefined ? v.url.split(',').map((u) => u.trim().toLowerCase()).filter((u) => u !== '') : current.urls,
    startTls: v.starttls ?? current.startTls,
    insecureTls: v.insecure_tls ?? current.insecureTls,
    certificate: v.certificate ?? current.certificate,
    clientTlsCert: v.client_tls_cert ?? current.clientTlsCert,
    clientTlsKey: v.client_tls_key ?? current.clientTlsKey,
    tlsMinVersion: v.tls_min_version ?? current.tlsMinVersion,
    tlsMaxVersion: v.tls_max_version ?? current.tlsMaxVersion,
    bindDn: v.binddn ?? current.bindDn,
    bindPass: v.bindpass ?? current.bindPass,
    userDn: v.userdn ?? current.userDn,
    userAttr: (v.userattr ?? current.userAttr).toLowerCase() || 'cn',
    userFilter: v.userfilter !== undefined ? v.userfilter || DEFAULT_USER_FILTER : current.userFilter,
    upnDomain: v.upndomain ?? current.upnDomain,
    discoverDn: v.discoverdn ?? current.discoverDn,
    denyNullBind: v.deny_null_bind ?? current.denyNullBind,
    anonymousGroupSearch: v.anonymous_group_search ?? current.anonymousGroupSearch,
    groupDn: v.groupdn ?? current.groupDn,
    groupFilter: v.groupfilter ?? current.groupFilter,
    groupAttr: v.groupattr ?? current.groupAttr,
    usernameAsAlias: v.username_as_alias ?? current.usernameAsAlias,
    caseSensitiveNames: v.case_sensitive_names ?? current.caseSensitiveNames,
    useTokenGroups: v.use_token_groups ?? current.useTokenGroups,
    requestTimeout: v.request_timeout ?? current.requestTimeout,
    connectionTimeout: v.connection_timeout ?? current.connectionTimeout,
    derefAliases: parseDeref(v.dereference_aliases, current.derefAliases),
    maxPageSize: v.max_page_size ?? current.maxPageSize,
    token,
  };
  checkConfig(next);
  await putConfig(ctx.storage, next);
  return warnings.length > 0 ? { warnings } : null;
}

export function configPath(): PathDefinition {
  return definePath({
    pattern: 'config',
    fields: configFields,
    existenceCheck: async (ctx) => (await getConfig(ctx.storage)) !== null,
    operations: {
      read: async (ctx) => {
        const c = await getConfig(ctx.storage);
        return { data: configData(c ?? defaultConfig()) };
      },
      create: writeConfig,
      update: writeConfig,
    },
    help: {
      synopsis: 'Configure how this mount reaches the directory, finds users and their groups.',
      description: 'url may list several servers (comma-separated), tried in order. bindpass and client_tls_key are never returned.',
    },
  });
}
