/**
 * roles/:name: what issue/:role and sign/:role may put in a certificate. Fields and defaults
 * are Vault's, so a role written by a Vault client means the same here; a write replaces the
 * whole role (unset fields back to their defaults), as Vault's does.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { listEntries } from '../../../framework/listing.js';
import { f } from '../../../framework/fields.js';
import { getJson, putJson } from '../../../logical/storage.js';
import { keySpec } from '../keys.js';
import type { Ctx } from './common.js';

const list = () => f.commaList().default([]);
const bool = (d: boolean) => f.bool().default(d);

export const roleFields = {
  allowed_domains: list().describe('Domains names may be in (see allow_bare_domains, allow_subdomains, allow_glob_domains)'),
  allow_subdomains: bool(false).describe('Names below an allowed domain, at any depth'),
  allow_glob_domains: bool(false).describe('allowed_domains entries may hold * globs'),
  allow_bare_domains: bool(false).describe('An allowed domain itself may be a name'),
  allow_localhost: bool(true).describe('"localhost" and "localdomain" may be names'),
  allow_any_name: bool(false).describe('Any name at all (enforce_hostnames still applies)'),
  enforce_hostnames: bool(true).describe('DNS names must be valid hostnames'),
  allow_ip_sans: bool(true).describe('IP addresses may be asked for in ip_sans'),
  server_flag: bool(true).describe('Extended key usage serverAuth'),
  client_flag: bool(true).describe('Extended key usage clientAuth'),
  key_type: z.string().default('rsa').describe('rsa, ec, ed25519, or any (sign only)'),
  key_bits: f.int().default(0).describe('0: 2048 for rsa, 256 for ec'),
  ttl: f.duration().default(0).describe("Default lifetime; 0: the mount's default lease TTL"),
  max_ttl: f.duration().default(0).describe("Longest lifetime; 0: the mount's max lease TTL"),
  not_before_duration: f.duration().default(30).describe('How far notBefore is set in the past'),
  organization: list(),
  ou: list(),
  country: list(),
  no_store: bool(false).describe('Do not keep issued certificates (they cannot be listed or revoked)'),
  require_cn: bool(true).describe('common_name must be given'),
  use_csr_common_name: bool(true).describe("sign: take the CSR's common name when none is given"),
  use_csr_sans: bool(true).describe("sign: take the CSR's DNS and IP SANs"),
  issuer_ref: z.string().default('default').describe('The issuer that signs for this role'),
  key_usage: f.commaList().default(['DigitalSignature', 'KeyAgreement', 'KeyEncipherment']).describe('Key usages, by Go name'),
  ext_key_usage: list().describe('More extended key usages, by Go name (ServerAuth, ClientAuth, CodeSigning…)'),
};
const fields = { name: z.string().describe('The role name'), ...roleFields };
type RoleFields = z.infer<z.ZodObject<typeof roleFields>>;
export type Role = RoleFields;

/** Key usages by the names Vault takes (Go's x509 names, without the KeyUsage prefix), as DER bits. */
export const KEY_USAGE_BITS: Record<string, number> = {
  digitalsignature: 1 << 0,
  contentcommitment: 1 << 1,
  keyencipherment: 1 << 2,
  dataencipherment: 1 << 3,
  keyagreement: 1 << 4,
  certsign: 1 << 5,
  crlsign: 1 << 6,
  encipheronly: 1 << 7,
  decipheronly: 1 << 8,
};

export const EXT_KEY_USAGE_OIDS: Record<string, string> = {
  serverauth: '1.3.6.1.5.5.7.3.1',
  clientauth: '1.3.6.1.5.5.7.3.2',
  codesigning: '1.3.6.1.5.5.7.3.3',
  emailprotection: '1.3.6.1.5.5.7.3.4',
  timestamping: '1.3.6.1.5.5.7.3.8',
  ocspsigning: '1.3.6.1.5.5.7.3.9',
};

const usageKey = (u: string) => u.toLowerCase().replace(/^(extkeyusage|keyusage)/, '');

function checkRole(role: Role): Role {
  // Stored as Vault shows it: the default size filled in.
  let bits = role.key_bits;
  if (role.key_type !== 'any') bits = keySpec(role.key_type, role.key_bits).bits;
  for (const u of role.key_usage) if (KEY_USAGE_BITS[usageKey(u)] === undefined) throw invalidRequest(`unknown key_usage "${u}"`);
  for (const u of role.ext_key_usage) if (EXT_KEY_USAGE_OIDS[usageKey(u)] === undefined) throw invalidRequest(`unknown ext_key_usage "${u}"`);
  if (role.max_ttl && role.ttl > role.max_ttl) throw invalidRequest(`ttl (${role.ttl}s) may not be longer than max_ttl (${role.max_ttl}s)`);
  return { ...role, key_bits: bits };
}

const NAME = /^[A-Za-z0-9_.@-]{1,128}$/;
const roleKey = (name: string) => {
  if (!NAME.test(name)) throw invalidRequest(`invalid role name "${name}": use letters, digits, '-', '_', '.' or '@'`);
  return `role/${name}`;
};

export const getRole = (ctx: Ctx<unknown>, name: string) => getJson<Role>(ctx.storage, roleKey(name));

/** The role or a 400 naming it, as Vault answers issue and sign for an unknown role. */
export async function roleOrFail(ctx: Ctx<unknown>, name: string): Promise<Role> {
  const role = await getRole(ctx, name);
  if (!role) throw invalidRequest(`unknown role: ${name}`);
  return role;
}

export function rolePaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'roles/?',
      operations: {
        list: (ctx) => listEntries(ctx.storage, 'role/', {}),
      },
      help: { synopsis: 'List the roles.' },
    }),
    definePath({
      pattern: 'roles/:name',
      fields,
      existenceCheck: async (ctx) => (await getRole(ctx, ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          const role = await getRole(ctx, ctx.fields.name);
          return role ? { data: role } : null;
        },
        create: writeRole,
        update: writeRole,
        delete: async (ctx) => {
          await ctx.storage.delete(roleKey(ctx.fields.name));
          return null;
        },
      },
      help: { synopsis: 'Create, read, replace or delete a role: the names, key types, usages and lifetimes it allows.' },
    }),
  ];
}

async function writeRole(ctx: Ctx<z.infer<z.ZodObject<typeof fields>>>) {
  const { name, ...role } = ctx.fields;
  const checked = checkRole(role);
  await putJson(ctx.storage, roleKey(name), checked);
  return { data: checked };
}
