/**
 * `users/` (LIST), `users/:username` (create, read, update, delete), and the two narrow
 * paths Vault has so ACLs can delegate them: `users/:username/password` and
 * `users/:username/policies`.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import type { KeyLock } from '../../../framework/key-lock.js';
import { listEntries, pageFields } from '../../../framework/listing.js';
import {
  applyTokenFields,
  checkAgainstMount,
  defaultTokenParams,
  legacyTokenFields,
  tokenFields,
  tokenParamsData,
  type TokenFieldValues,
} from '../../shared/token-params.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../password-hash.js';
import { deleteUser, getUser, putUser, requireUsername, USER_PREFIX, type UserEntry } from '../storage.js';

const { period: _noLegacyPeriod, ...userLegacyFields } = legacyTokenFields;

const passwordField = z.string().optional().describe('The password; required when the user is created');

const userFields = {
  username: z.string().describe('The user name: letters, digits, "_", "-", "." and "@"; case-insensitive'),
  password: passwordField,
  password_hash: z.string().optional().describe('Not supported: send password'),
  ...tokenFields,
  ...userLegacyFields,
};

type UserFields = z.infer<z.ZodObject<typeof userFields>>;

function checkPassword(password: string): void {
  if (password === '') throw invalidRequest('missing password');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw invalidRequest(`password is longer than ${MAX_PASSWORD_BYTES} bytes`);
}

const withWarnings = (warnings: string[]): Response | null => (warnings.length > 0 ? { warnings } : null);

function readUser(user: UserEntry): Response {
  const data = tokenParamsData(user.token);
  // Vault echoes the deprecated names a user was written with.
  if (user.legacy?.policies && user.token.policies.length > 0) data.policies = [...user.token.policies];
  if (user.legacy?.ttl && user.token.ttl > 0) data.ttl = user.token.ttl;
  if (user.legacy?.maxTtl && user.token.maxTtl > 0) data.max_ttl = user.token.maxTtl;
  if (user.legacy?.boundCidrs && user.token.boundCidrs.length > 0) data.bound_cidrs = [...user.token.boundCidrs];
  return { data };
}

export function userPaths(locks: KeyLock): PathDefinition[] {
  const write = async (ctx: HandlerContext<UserFields>): Promise<Response | null> => {
    const fields = ctx.fields;
    const name = requireUsername(fields.username);
    if (fields.password_hash !== undefined) {
      throw invalidRequest('password_hash is not supported by this server: send the password itself, which is hashed with scrypt');
    }
    if (fields.password !== undefined) checkPassword(fields.password);
    const warnings: string[] = [];
    // Validate everything before the (slow) hash and before any write.
    return locks.run(name, async () => {
      const current = await getUser(ctx.storage, name);
      if (!current && fields.password === undefined) throw invalidRequest('missing password: it is required when a user is created');
      const token = applyTokenFields(current?.token ?? defaultTokenParams(), fields as TokenFieldValues, warnings);
      checkAgainstMount(token, ctx.system.maxLeaseTtl, warnings);
      const legacy = { ...current?.legacy };
      const touched = (newName: unknown, oldName: unknown) => (newName !== undefined ? false : oldName !== undefined ? true : undefined);
      const mark = (key: keyof NonNullable<UserEntry['legacy']>, value: boolean | undefined) => {
        if (value !== undefined) legacy[key] = value;
      };
      mark('policies', touched(fields.token_policies, fields.policies));
      mark('ttl', touched(fields.token_ttl, fields.ttl));
      mark('maxTtl', touched(fields.token_max_ttl, fields.max_ttl));
      mark('boundCidrs', touched(fields.token_bound_cidrs, fields.bound_cidrs));
      const passwordHash = fields.password !== undefined ? await hashPassword(fields.password) : current!.passwordHash;
      await putUser(ctx.storage, { name, passwordHash, token, ...(Object.keys(legacy).length ? { legacy } : {}) });
      return withWarnings(warnings);
    });
  };

  const requireUser = async (ctx: HandlerContext<{ username: string }>): Promise<UserEntry> => {
    const name = requireUsername(ctx.fields.username);
    const user = await getUser(ctx.storage, name);
    if (!user) throw invalidRequest(`username "${name}" does not exist`);
    return user;
  };

  return [
    definePath({
      pattern: 'users/?',
      fields: pageFields,
      operations: { list: (ctx) => listEntries(ctx.storage, USER_PREFIX, ctx.fields) },
      help: { synopsis: 'List the users of this mount.' },
    }),
    definePath({
      pattern: 'users/:username',
      fields: userFields,
      existenceCheck: async (ctx) => {
        const name = ctx.fields.username.trim().toLowerCase();
        return name !== '' && !name.includes('/') && (await getUser(ctx.storage, name)) !== null;
      },
      operations: {
        create: write,
        update: write,
        read: async (ctx) => {
          const user = await getUser(ctx.storage, requireUsername(ctx.fields.username));
          return user ? readUser(user) : null;
        },
        delete: async (ctx) => {
          const name = requireUsername(ctx.fields.username);
          await locks.run(name, () => deleteUser(ctx.storage, name));
          return null;
        },
      },
      help: {
        synopsis: 'Create, read, update or delete a user.',
        description: 'A new user needs a password; token_* fields shape the tokens its logins get (policies, TTLs, CIDRs, uses).',
      },
    }),
    definePath({
      pattern: 'users/:username/password',
      fields: { username: z.string(), password: passwordField },
      operations: {
        update: async (ctx) => {
          const password = ctx.fields.password ?? '';
          checkPassword(password);
          const name = requireUsername(ctx.fields.username);
          await locks.run(name, async () => {
            const user = await requireUser(ctx);
            await putUser(ctx.storage, { ...user, passwordHash: await hashPassword(password) });
          });
          return null;
        },
      },
      help: { synopsis: "Change a user's password." },
    }),
    definePath({
      pattern: 'users/:username/policies',
      fields: { username: z.string(), token_policies: tokenFields.token_policies, policies: f.commaList().optional() },
      operations: {
        update: async (ctx) => {
          const name = requireUsername(ctx.fields.username);
          if (ctx.fields.token_policies === undefined && ctx.fields.policies === undefined) throw invalidRequest('missing token_policies');
          await locks.run(name, async () => {
            const user = await requireUser(ctx);
            const token = applyTokenFields(user.token, { token_policies: ctx.fields.token_policies, policies: ctx.fields.policies });
            const legacy = { ...user.legacy, policies: ctx.fields.token_policies === undefined };
            await putUser(ctx.storage, { ...user, token, legacy });
          });
          return null;
        },
      },
      help: { synopsis: "Replace a user's token policies." },
    }),
  ];
}
