/**
 * `groups/:name` (policies for an LDAP group) and `users/:name` (extra groups and policies
 * for one user), both listable, as Vault's ldap method has them. Names are lower-cased unless
 * the config says case_sensitive_names, so they match the directory's answers as logins do.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { listEntries, pageFields } from '../../../framework/listing.js';
import type { KeyLock } from '../../../framework/key-lock.js';
import { putJson, type Storage } from '../../../logical/storage.js';
import { applyTokenFields, defaultTokenParams } from '../../shared/token-params.js';
import { canonicalName, getConfig, getGroup, getUser, GROUP_PREFIX, USER_PREFIX } from '../storage.js';

/** Policies as a token would hold them: trimmed, lower-cased, deduplicated, valid names only. */
const cleanPolicies = (list: string[]) => applyTokenFields(defaultTokenParams(), { token_policies: list }).policies;

async function nameOf(storage: Storage, raw: string, what: string): Promise<string> {
  const caseSensitive = (await getConfig(storage))?.caseSensitiveNames ?? false;
  const name = canonicalName(raw, caseSensitive);
  if (name === '') throw invalidRequest(`${what} name cannot be empty`);
  return name;
}

/** What a write to either resource may carry (groups only for users). */
interface Values {
  name: string;
  groups?: string[];
  policies?: string[];
}

interface Resource {
  kind: 'group' | 'user';
  prefix: string;
  fields: Record<string, z.ZodType>;
  read: (storage: Storage, name: string) => Promise<Record<string, unknown> | null>;
  write: (ctx: HandlerContext<Values>, name: string) => Promise<void>;
}

function resourcePaths(r: Resource, locks: KeyLock, plural: string): PathDefinition[] {
  const fields = { name: z.string().describe(`Name of the ${r.kind}`), ...r.fields };
  const write = async (ctx: HandlerContext<Values>) => {
    const name = await nameOf(ctx.storage, ctx.fields.name, r.kind);
    await locks.run(`${r.kind}:${name}`, () => r.write(ctx, name));
    return null;
  };
  return [
    definePath({
      pattern: `${plural}/?`,
      fields: pageFields,
      operations: { list: (ctx) => listEntries(ctx.storage, r.prefix, ctx.fields) },
      help: { synopsis: `List the ${plural} of this mount.` },
    }),
    definePath({
      pattern: `${plural}/:name`,
      fields,
      existenceCheck: async (ctx) => (await r.read(ctx.storage, await nameOf(ctx.storage, (ctx.fields as Values).name, r.kind).catch(() => ''))) !== null,
      operations: {
        read: async (ctx) => {
          const data = await r.read(ctx.storage, await nameOf(ctx.storage, (ctx.fields as Values).name, r.kind));
          return data ? { data } : null;
        },
        create: (ctx) => write(ctx as HandlerContext<Values>),
        update: (ctx) => write(ctx as HandlerContext<Values>),
        delete: async (ctx) => {
          const name = await nameOf(ctx.storage, (ctx.fields as Values).name, r.kind);
          await locks.run(`${r.kind}:${name}`, () => ctx.storage.delete(r.prefix + name));
          return null;
        },
      },
      help: { synopsis: `Manage the policies of an LDAP ${r.kind}.` },
    }),
  ];
}

export function groupPaths(locks: KeyLock): PathDefinition[] {
  return resourcePaths(
    {
      kind: 'group',
      prefix: GROUP_PREFIX,
      fields: { policies: f.commaList().optional().describe('Policies for members of this LDAP group') },
      read: async (storage, name) => {
        const g = name === '' ? null : await getGroup(storage, name);
        return g ? { policies: [...g.policies] } : null;
      },
      write: async (ctx, name) => {
        const current = await getGroup(ctx.storage, name);
        await putJson(ctx.storage, GROUP_PREFIX + name, { policies: cleanPolicies(ctx.fields.policies ?? current?.policies ?? []) });
      },
    },
    locks,
    'groups',
  );
}

export function userPaths(locks: KeyLock): PathDefinition[] {
  return resourcePaths(
    {
      kind: 'user',
      prefix: USER_PREFIX,
      fields: {
        groups: f.commaList().optional().describe('Groups this user belongs to, besides those the directory names'),
        policies: f.commaList().optional().describe('Policies for this user'),
      },
      read: async (storage, name) => {
        const u = name === '' ? null : await getUser(storage, name);
        return u ? { groups: [...u.groups], policies: [...u.policies] } : null;
      },
      write: async (ctx, name) => {
        const caseSensitive = (await getConfig(ctx.storage))?.caseSensitiveNames ?? false;
        const current = await getUser(ctx.storage, name);
        const groups = ctx.fields.groups !== undefined ? [...new Set(ctx.fields.groups.map((g) => canonicalName(g, caseSensitive)).filter((g) => g !== ''))] : current?.groups ?? [];
        const policies = cleanPolicies(ctx.fields.policies ?? current?.policies ?? []);
        await putJson(ctx.storage, USER_PREFIX + name, { groups, policies });
      },
    },
    locks,
    'users',
  );
}
