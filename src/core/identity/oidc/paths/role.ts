/**
 * `oidc/role/:name`, LIST `oidc/role`, and `oidc/token/:name`: a role names a key, a claims
 * template and a TTL; a token request signs the caller's entity's claims with the role's key.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../../errors.js';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import { f } from '../../../../framework/fields.js';
import { keyAllows, signClaims } from '../keys.js';
import { randomAlphanumeric, type OidcState } from '../oidc-state.js';
import { deleteRecord, listAnswer, listNames, readRecord, writeRecord } from '../records.js';
import { renderTemplate, ROLE_RESERVED, validateTemplate } from '../template.js';
import type { Role } from '../types.js';

const DAY = 86400;

const roleView = (r: Role) => ({ key: r.key, template: r.template, ttl: r.ttl, client_id: r.clientId });

export function rolePaths(oidc: OidcState): PathDefinition[] {
  return [
    definePath({
      pattern: 'oidc/role/?',
      operations: { list: async (ctx) => listAnswer(await listNames(ctx.storage, 'role')) },
      help: { synopsis: 'List identity token roles.' },
    }),
    definePath({
      pattern: 'oidc/role/:name',
      fields: {
        name: z.string().describe('Name of the role'),
        key: z.string().optional().describe('The named key that signs the role’s tokens'),
        template: z.string().optional().describe('Claims template: JSON, or base64 of it'),
        ttl: f.duration().optional().describe('Lifetime of the role’s tokens (default 24h)'),
        client_id: z.string().optional().describe('The tokens’ audience; generated when unset'),
      },
      existenceCheck: async (ctx) => (await readRecord(ctx.storage, 'role', ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          const role = await readRecord(ctx.storage, 'role', ctx.fields.name);
          return role ? { data: roleView(role) } : null;
        },
        update: async (ctx) =>
          oidc.lock.run(`role/${ctx.fields.name}`, async () => {
            const old = await readRecord(ctx.storage, 'role', ctx.fields.name);
            const keyName = ctx.fields.key ?? old?.key;
            if (!keyName) throw invalidRequest('the key parameter is required');
            const key = await readRecord(ctx.storage, 'key', keyName);
            if (!key) throw invalidRequest(`key "${keyName}" does not exist`);
            const role: Role = {
              name: ctx.fields.name,
              key: keyName,
              template: ctx.fields.template !== undefined ? validateTemplate(ctx.fields.template, ROLE_RESERVED) : old?.template ?? '',
              ttl: ctx.fields.ttl ?? old?.ttl ?? DAY,
              clientId: ctx.fields.client_id || old?.clientId || randomAlphanumeric(26),
            };
            if (role.ttl > key.verificationTtl) throw invalidRequest('a role’s token ttl cannot be longer than the verification_ttl of the key it references');
            await writeRecord(ctx.storage, 'role', role);
            return null;
          }),
        delete: async (ctx) => {
          await deleteRecord(ctx.storage, 'role', ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete a role that issues identity tokens.' },
    }),
    definePath({
      pattern: 'oidc/token/:name',
      fields: { name: z.string().describe('The role to issue a token for') },
      operations: {
        read: async (ctx) => {
          const entityId = ctx.caller?.entityId;
          if (!entityId) throw invalidRequest('no entity associated with the request’s token');
          const role = await readRecord(ctx.storage, 'role', ctx.fields.name);
          if (!role) throw invalidRequest(`role "${ctx.fields.name}" not found`);
          const now = ctx.clock();
          const key = await oidc.keyForSigning(ctx.storage, role.key, now);
          if (!key) throw invalidRequest(`key "${role.key}" not found`);
          if (!keyAllows(key, role.clientId)) throw invalidRequest(`the key "${role.key}" does not list the client ID of the role "${role.name}" as an allowed client ID`);
          const entity = oidc.templateEntity(entityId);
          if (!entity) throw invalidRequest('the token’s entity no longer exists');
          const iat = Math.floor(now / 1000);
          const claims = {
            ...renderTemplate(role.template, entity, iat),
            iss: await oidc.tokenIssuer(ctx.storage),
            sub: entityId,
            aud: role.clientId,
            iat,
            exp: iat + role.ttl,
            namespace: 'root',
          };
          return { data: { token: await signClaims(key, claims), client_id: role.clientId, ttl: role.ttl } };
        },
      },
      help: { synopsis: 'Issue an identity token (a signed JWT) for the caller’s entity under a role.' },
    }),
  ];
}
