/**
 * Login enforcements (`mfa/login-enforcement/:name`, LIST): which logins must pass which
 * MFA methods. A login falls under an enforcement when its auth mount (accessor or type),
 * its entity or one of the entity's groups is named; every id named must exist.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { IdentityStore } from '../identity-store.js';
import type { MfaStore } from '../mfa/mfa-store.js';
import type { LoginEnforcement } from '../mfa/types.js';
import { listWithInfo } from '../views.js';
import { idList } from './fields.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const enforcementFields = {
  name: z.string(),
  mfa_method_ids: idList().optional().describe('MFA methods of which any one satisfies this enforcement'),
  auth_method_accessors: idList().optional().describe('Auth mounts (by accessor) whose logins it applies to'),
  auth_method_types: idList().optional().describe('Auth method types (userpass, jwt…) whose logins it applies to'),
  identity_group_ids: idList().optional().describe('Groups whose member entities it applies to (inherited membership counts)'),
  identity_entity_ids: idList().optional().describe('Entities it applies to'),
};

export function enforcementView(e: LoginEnforcement): Record<string, unknown> {
  return {
    name: e.name,
    id: e.id,
    namespace_id: 'root',
    mfa_method_ids: [...e.mfaMethodIds],
    auth_method_accessors: [...e.authMethodAccessors],
    auth_method_types: [...e.authMethodTypes],
    identity_group_ids: [...e.identityGroupIds],
    identity_entity_ids: [...e.identityEntityIds],
  };
}

export function mfaEnforcementPaths(identity: IdentityStore, mfa: MfaStore): PathDefinition[] {
  return [
    definePath({
      pattern: 'mfa/login-enforcement/?',
      operations: {
        list: () => {
          const all = mfa.allEnforcements();
          return listWithInfo(all.map((e) => e.name), Object.fromEntries(all.map((e) => [e.name, enforcementView(e)])));
        },
      },
      help: { synopsis: 'List login enforcements.' },
    }),
    definePath({
      pattern: 'mfa/login-enforcement/:name',
      fields: enforcementFields,
      operations: {
        read: (ctx) => {
          const e = mfa.enforcement(ctx.fields.name);
          return e ? { data: enforcementView(e) } : null;
        },
        update: (ctx) =>
          mfa.change(async () => {
            const { fields } = ctx;
            if (!NAME.test(fields.name)) throw invalidRequest('name must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
            const prev = mfa.enforcement(fields.name);
            const e: LoginEnforcement = {
              id: prev?.id ?? randomUUID(),
              name: fields.name,
              mfaMethodIds: fields.mfa_method_ids ?? prev?.mfaMethodIds ?? [],
              authMethodAccessors: fields.auth_method_accessors ?? prev?.authMethodAccessors ?? [],
              authMethodTypes: fields.auth_method_types ?? prev?.authMethodTypes ?? [],
              identityGroupIds: fields.identity_group_ids ?? prev?.identityGroupIds ?? [],
              identityEntityIds: fields.identity_entity_ids ?? prev?.identityEntityIds ?? [],
            };
            if (e.mfaMethodIds.length === 0) throw invalidRequest('missing mfa_method_ids');
            for (const id of e.mfaMethodIds) if (!mfa.method(id)) throw invalidRequest(`MFA method "${id.slice(0, 64)}" does not exist`);
            if (!e.authMethodAccessors.length && !e.authMethodTypes.length && !e.identityGroupIds.length && !e.identityEntityIds.length) {
              throw invalidRequest('one of auth_method_accessors, auth_method_types, identity_group_ids or identity_entity_ids must be given');
            }
            for (const a of e.authMethodAccessors) if (!identity.mount(a)) throw invalidRequest(`invalid auth mount accessor "${a.slice(0, 64)}"`);
            for (const g of e.identityGroupIds) if (!identity.group(g)) throw invalidRequest(`group "${g.slice(0, 64)}" does not exist`);
            for (const id of e.identityEntityIds) if (!identity.entity(id)) throw invalidRequest(`entity "${id.slice(0, 64)}" does not exist`);
            await mfa.putEnforcement(e);
            return null;
          }),
        delete: async (ctx) => {
          await mfa.change(() => mfa.deleteEnforcement(ctx.fields.name));
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete a login enforcement.' },
    }),
  ];
}
