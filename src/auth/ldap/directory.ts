/**
 * One login against the directory, as Vault does it: find the DN to bind as (a search with
 * userfilter when discoverdn or a service account is configured, else built from userattr and
 * userdn, or username@upndomain), bind as the user with the password, then find the user's
 * groups with groupfilter under groupdn (or tokenGroups on Active Directory).
 *
 * A failed bind, no entry or more than one entry all end as the same `invalid` verdict, and the
 * no-entry cases still make one bind (to a DN that cannot exist) so the time taken does not
 * tell an unknown user from a wrong password.
 */
import { randomBytes } from 'node:crypto';
import { ResultCodeError, type Client, type Entry } from 'ldapts';
import { DialError, dial } from './connection.js';
import { escapeDnValue, escapeFilterValue, groupNameOf, renderFilter } from './escape.js';
import type { LdapConfig } from './storage.js';

export type DirectoryVerdict =
  | { ok: true; userDn: string; groups: string[]; aliasName: string }
  | { ok: false; reason: 'invalid' }
  /** The directory or the config failed, not the user: answered, but not counted toward lockout. */
  | { ok: false; reason: 'error'; message: string };

const DEREF = { never: 'never', finding: 'find', searching: 'search', always: 'always' } as const;

/** Raised inside a login for a failure that is the server's or the config's, never the user's. */
class DirectoryFailure extends Error {}

const firstLine = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

function attrValues(entry: Entry, name: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const raw = key === undefined ? undefined : entry[key];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

const searches = (cfg: LdapConfig) => cfg.discoverDn || (cfg.bindDn !== '' && cfg.bindPass !== '');

async function serviceBind(client: Client, cfg: LdapConfig): Promise<void> {
  // Without a password the connection stays anonymous: an unauthenticated bind would be the same.
  if (cfg.bindDn === '' || cfg.bindPass === '') return;
  try {
    await client.bind(cfg.bindDn, cfg.bindPass);
  } catch {
    throw new DirectoryFailure('ldap operation failed: LDAP bind (service) failed: check binddn and bindpass');
  }
}

/** The user's entry found with userfilter, or undefined when there is none or more than one. */
async function findUser(client: Client, cfg: LdapConfig, username: string): Promise<Entry | undefined> {
  await serviceBind(client, cfg);
  const upn = cfg.upnDomain !== '';
  const filter = renderFilter(cfg.userFilter, {
    UserAttr: upn ? 'userPrincipalName' : cfg.userAttr,
    Username: upn ? `${username}@${cfg.upnDomain}` : username,
  });
  try {
    const { searchEntries } = await client.search(cfg.userDn, {
      scope: 'sub',
      filter,
      derefAliases: DEREF[cfg.derefAliases],
      sizeLimit: 2, // a second match means the name is ambiguous: refused
      attributes: [cfg.userAttr],
    });
    return searchEntries.length === 1 ? searchEntries[0] : undefined;
  } catch (err) {
    if (err instanceof ResultCodeError && err.code === 4) return undefined; // size limit exceeded
    throw new DirectoryFailure(`ldap operation failed: LDAP search for binddn failed: ${firstLine(err)}`);
  }
}

/** A bind that fails the way a wrong password does, so an unknown user takes as long. */
async function dummyBind(client: Client, cfg: LdapConfig, password: string): Promise<void> {
  const base = cfg.userDn !== '' ? cfg.userDn : 'dc=invalid';
  await client.bind(`cn=coffer-no-such-user-${randomBytes(8).toString('hex')},${base}`, password).catch(() => undefined);
}

async function userDnOf(client: Client, cfg: LdapConfig, bindDn: string, username: string): Promise<string> {
  if (cfg.upnDomain === '') return bindDn;
  const filter = `(userPrincipalName=${escapeFilterValue(`${username}@${cfg.upnDomain}`)})`;
  const { searchEntries } = await client.search(cfg.userDn, { scope: 'sub', filter, derefAliases: DEREF[cfg.derefAliases], attributes: ['1.1'] });
  if (searchEntries.length !== 1) throw new DirectoryFailure('ldap operation failed: LDAP search for the user DN found 0 or more than one entry');
  return searchEntries[0]!.dn;
}

async function groupEntries(client: Client, cfg: LdapConfig, userDn: string, username: string): Promise<Entry[]> {
  if (cfg.useTokenGroups) return tokenGroupEntries(client, cfg, userDn);
  if (cfg.groupFilter === '') return [];
  const filter = renderFilter(cfg.groupFilter, { UserDN: userDn, Username: username });
  const { searchEntries } = await client.search(cfg.groupDn, {
    scope: 'sub',
    filter,
    derefAliases: DEREF[cfg.derefAliases],
    attributes: [cfg.groupAttr],
    ...(cfg.maxPageSize > 0 ? { paged: { pageSize: cfg.maxPageSize } } : {}),
  });
  return searchEntries;
}

/** Active Directory: the user's transitive groups as SIDs in `tokenGroups`, each looked up by `<SID=…>`. */
async function tokenGroupEntries(client: Client, cfg: LdapConfig, userDn: string): Promise<Entry[]> {
  const { searchEntries } = await client.search(userDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['tokenGroups'], explicitBufferAttributes: ['tokenGroups'] });
  const user = searchEntries[0];
  if (!user) return [];
  const key = Object.keys(user).find((k) => k.toLowerCase() === 'tokengroups');
  const raw = key === undefined ? [] : user[key];
  const sids = (Array.isArray(raw) ? raw : [raw]).filter((v): v is Buffer => Buffer.isBuffer(v)).map(sidToString).filter((s): s is string => s !== undefined);
  const out: Entry[] = [];
  for (const sid of sids) {
    const found = await client.search(`<SID=${sid}>`, { scope: 'base', filter: '(objectClass=*)', attributes: [cfg.groupAttr] }).catch(() => undefined);
    if (found?.searchEntries[0]) out.push(found.searchEntries[0]);
  }
  return out;
}

/** A binary Windows SID as `S-1-5-21-…`. */
function sidToString(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  const count = b[1]!;
  if (b.length < 8 + 4 * count) return undefined;
  const authority = b.readUIntBE(2, 6);
  const parts = [`S-${b[0]}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(b.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

function groupNames(entries: Entry[], cfg: LdapConfig): string[] {
  const names = new Set<string>();
  for (const e of entries) {
    const values = attrValues(e, cfg.groupAttr);
    for (const v of values.length > 0 ? values : [e.dn]) names.add(groupNameOf(v));
  }
  return [...names];
}

async function loginOn(client: Client, cfg: LdapConfig, username: string, password: string): Promise<DirectoryVerdict> {
  let bindDn: string;
  let found: Entry | undefined;
  if (searches(cfg)) {
    found = await findUser(client, cfg, username);
    if (!found) {
      await dummyBind(client, cfg, password);
      return { ok: false, reason: 'invalid' };
    }
    bindDn = found.dn;
  } else {
    bindDn = cfg.upnDomain !== '' ? `${escapeDnValue(username)}@${cfg.upnDomain}` : `${cfg.userAttr}=${escapeDnValue(username)},${cfg.userDn}`;
  }
  try {
    await client.bind(bindDn, password);
  } catch (err) {
    if (err instanceof ResultCodeError) return { ok: false, reason: 'invalid' };
    throw new DirectoryFailure(`ldap operation failed: ${firstLine(err)}`);
  }
  if (cfg.bindDn !== '' && cfg.bindPass !== '') {
    try {
      await client.bind(cfg.bindDn, cfg.bindPass);
    } catch {
      throw new DirectoryFailure('ldap operation failed: failed to re-bind with the BindDN user');
    }
  }
  const userDn = await userDnOf(client, cfg, bindDn, username);
  let groupClient = client;
  if (cfg.anonymousGroupSearch) groupClient = await dial(cfg);
  try {
    const groups = groupNames(await groupEntries(groupClient, cfg, userDn, username), cfg);
    return { ok: true, userDn, groups, aliasName: aliasOf(cfg, found, bindDn, username) };
  } finally {
    if (groupClient !== client) await groupClient.unbind().catch(() => undefined);
  }
}

/** Vault's alias name: the username when asked, else the userattr of the entry found, else the bind name. */
function aliasOf(cfg: LdapConfig, found: Entry | undefined, bindDn: string, username: string): string {
  if (cfg.usernameAsAlias) return username;
  if (!found) return bindDn;
  const values = attrValues(found, cfg.userAttr);
  if (values.length !== 1 || values[0] === '') throw new DirectoryFailure(`ldap operation failed: LDAP entity alias attribute ${cfg.userAttr} empty or not unique for entity alias mapping`);
  return values[0]!;
}

/** Verifies `username`/`password` against the directory; never throws for the user's mistakes. */
export async function directoryLogin(cfg: LdapConfig, username: string, password: string): Promise<DirectoryVerdict> {
  let client: Client | undefined;
  try {
    client = await dial(cfg);
    return await loginOn(client, cfg, username, password);
  } catch (err) {
    const known = err instanceof DirectoryFailure || err instanceof DialError;
    return { ok: false, reason: 'error', message: known ? err.message : `ldap operation failed: ${firstLine(err)}` };
  } finally {
    await client?.unbind().catch(() => undefined);
  }
}

/** A login that cannot succeed, made when the user is locked: the directory is asked just the same. */
export async function directoryDummyLogin(cfg: LdapConfig, password: string): Promise<void> {
  let client: Client | undefined;
  try {
    client = await dial(cfg);
    await dummyBind(client, cfg, password);
  } catch {
    // Only the time matters here.
  } finally {
    await client?.unbind().catch(() => undefined);
  }
}
