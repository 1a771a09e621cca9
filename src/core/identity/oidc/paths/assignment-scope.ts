/**
 * `oidc/assignment/:name` (who may log in through a client) and `oidc/scope/:name` (claims a
 * client may ask for), with their LISTs. The built-in `allow_all` assignment is fixed.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../../errors.js';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import { f } from '../../../../framework/fields.js';
import type { OidcState } from '../oidc-state.js';
import { allRecords, deleteRecord, listAnswer, listNames, readRecord, writeRecord } from '../records.js';
import { SCOPE_RESERVED, validateTemplate } from '../template.js';
import { ALLOW_ALL } from '../types.js';

export function assignmentScopePaths(oidc: OidcState): PathDefinition[] {
  return [
    definePath({
      pattern: 'oidc/assignment/?',
      operations: {
        list: async (ctx) => {
          await oidc.ensureDefaults(ctx.storage, ctx.clock());
          return listAnswer(await listNames(ctx.storage, 'assignment'));
        },
      },
      help: { synopsis: 'List assignments.' },
    }),
    definePath({
      pattern: 'oidc/assignment/:name',
      fields: {
        name: z.string().describe('Name of the assignment'),
        entity_ids: f.commaList().optional().describe('Entity ids'),
        group_ids: f.commaList().optional().describe('Group ids'),
      },
      existenceCheck: async (ctx) => (await readRecord(ctx.storage, 'assignment', ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          await oidc.ensureDefaults(ctx.storage, ctx.clock());
          const a = await readRecord(ctx.storage, 'assignment', ctx.fields.name);
          return a ? { data: { entity_ids: a.entityIds, group_ids: a.groupIds } } : null;
        },
        update: async (ctx) => {
          if (ctx.fields.name === ALLOW_ALL) throw invalidRequest(`modification of assignment "${ALLOW_ALL}" not allowed`);
          const old = await readRecord(ctx.storage, 'assignment', ctx.fields.name);
          const entityIds = ctx.fields.entity_ids ?? old?.entityIds ?? [];
          const groupIds = ctx.fields.group_ids ?? old?.groupIds ?? [];
          for (const id of entityIds) if (!oidc.store.entity(id)) throw invalidRequest(`entity "${id}" does not exist`);
          for (const id of groupIds) if (!oidc.store.group(id)) throw invalidRequest(`group "${id}" does not exist`);
          await writeRecord(ctx.storage, 'assignment', { name: ctx.fields.name, entityIds, groupIds });
          return null;
        },
        delete: async (ctx) => {
          if (ctx.fields.name === ALLOW_ALL) throw invalidRequest(`deletion of assignment "${ALLOW_ALL}" not allowed`);
          const users = (await allRecords(ctx.storage, 'client')).filter((c) => c.assignments.includes(ctx.fields.name)).map((c) => c.name);
          if (users.length) throw invalidRequest(`unable to delete assignment "${ctx.fields.name}" because it is currently referenced by these clients: ${users.join(', ')}`);
          await deleteRecord(ctx.storage, 'assignment', ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete an assignment of entities and groups.' },
    }),
    definePath({
      pattern: 'oidc/scope/?',
      operations: { list: async (ctx) => listAnswer(await listNames(ctx.storage, 'scope')) },
      help: { synopsis: 'List scopes.' },
    }),
    definePath({
      pattern: 'oidc/scope/:name',
      fields: {
        name: z.string().describe('Name of the scope ("openid" is reserved)'),
        template: z.string().optional().describe('Claims template: JSON, or base64 of it'),
        description: z.string().optional().describe('What the scope is for'),
      },
      existenceCheck: async (ctx) => (await readRecord(ctx.storage, 'scope', ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          const s = await readRecord(ctx.storage, 'scope', ctx.fields.name);
          return s ? { data: { template: s.template, description: s.description } } : null;
        },
        update: async (ctx) => {
          if (ctx.fields.name === 'openid') throw invalidRequest('the "openid" scope name is reserved');
          const old = await readRecord(ctx.storage, 'scope', ctx.fields.name);
          await writeRecord(ctx.storage, 'scope', {
            name: ctx.fields.name,
            template: ctx.fields.template !== undefined ? validateTemplate(ctx.fields.template, SCOPE_RESERVED) : old?.template ?? '',
            description: ctx.fields.description ?? old?.description ?? '',
          });
          return null;
        },
        delete: async (ctx) => {
          const users = (await allRecords(ctx.storage, 'provider')).filter((p) => p.scopesSupported.includes(ctx.fields.name)).map((p) => p.name);
          if (users.length) throw invalidRequest(`unable to delete scope "${ctx.fields.name}" because it is currently referenced by these providers: ${users.join(', ')}`);
          await deleteRecord(ctx.storage, 'scope', ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete a scope and its claims template.' },
    }),
  ];
}
