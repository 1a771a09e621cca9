/** `oidc/client/:name` and LIST `oidc/client`: relying parties, with generated credentials. */
import { z } from 'zod';
import { invalidRequest } from '../../../../errors.js';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import { f } from '../../../../framework/fields.js';
import { randomAlphanumeric, type OidcState } from '../oidc-state.js';
import { allRecords, deleteRecord, listAnswer, readRecord, writeRecord } from '../records.js';
import { DEFAULT_KEY, type Client } from '../types.js';

const DAY = 86400;

const clientView = (c: Client) => ({
  key: c.key,
  redirect_uris: c.redirectUris,
  assignments: c.assignments,
  client_type: c.clientType,
  id_token_ttl: c.idTokenTtl,
  access_token_ttl: c.accessTokenTtl,
  client_id: c.clientId,
  ...(c.clientType === 'confidential' ? { client_secret: c.clientSecret } : {}),
});

export function clientPaths(oidc: OidcState): PathDefinition[] {
  return [
    definePath({
      pattern: 'oidc/client/?',
      operations: {
        list: async (ctx) => {
          const clients = await allRecords(ctx.storage, 'client');
          return listAnswer(clients.map((c) => c.name), Object.fromEntries(clients.map((c) => [c.name, clientView(c)])));
        },
      },
      help: { synopsis: 'List OIDC clients.' },
    }),
    definePath({
      pattern: 'oidc/client/:name',
      fields: {
        name: z.string().describe('Name of the client'),
        key: z.string().optional().describe('The named key that signs the client’s ID tokens (default "default"); fixed at creation'),
        redirect_uris: f.commaList().optional().describe('Redirect URIs; an authorization request must name one exactly'),
        assignments: f.commaList().optional().describe('Assignments naming the entities and groups that may log in through the client'),
        client_type: z.enum(['confidential', 'public']).optional().describe('confidential (has a secret) or public (must use PKCE); fixed at creation'),
        id_token_ttl: f.duration().optional().describe('Lifetime of ID tokens (default 24h)'),
        access_token_ttl: f.duration().optional().describe('Lifetime of access tokens (default 24h)'),
      },
      existenceCheck: async (ctx) => (await readRecord(ctx.storage, 'client', ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          const c = await readRecord(ctx.storage, 'client', ctx.fields.name);
          return c ? { data: clientView(c) } : null;
        },
        update: async (ctx) =>
          oidc.lock.run('clients', async () => {
            await oidc.ensureDefaults(ctx.storage, ctx.clock());
            const old = await readRecord(ctx.storage, 'client', ctx.fields.name);
            if (old && ctx.fields.key !== undefined && ctx.fields.key !== old.key) throw invalidRequest('key modification is not allowed');
            if (old && ctx.fields.client_type !== undefined && ctx.fields.client_type !== old.clientType) throw invalidRequest('client_type modification is not allowed');
            const clientType = old?.clientType ?? ctx.fields.client_type ?? 'confidential';
            const c: Client = {
              name: ctx.fields.name,
              key: old?.key ?? (ctx.fields.key || DEFAULT_KEY),
              redirectUris: ctx.fields.redirect_uris ?? old?.redirectUris ?? [],
              assignments: ctx.fields.assignments ?? old?.assignments ?? [],
              clientType,
              idTokenTtl: ctx.fields.id_token_ttl ?? old?.idTokenTtl ?? DAY,
              accessTokenTtl: ctx.fields.access_token_ttl ?? old?.accessTokenTtl ?? DAY,
              clientId: old?.clientId ?? randomAlphanumeric(32),
              clientSecret: old?.clientSecret ?? (clientType === 'confidential' ? `hvo_secret_${randomAlphanumeric(64)}` : ''),
            };
            const key = await readRecord(ctx.storage, 'key', c.key);
            if (!key) throw invalidRequest(`key "${c.key}" does not exist`);
            if (c.idTokenTtl > key.verificationTtl) throw invalidRequest('a client’s id_token_ttl cannot be greater than the verification_ttl of the key it references');
            for (const a of c.assignments) if (!(await readRecord(ctx.storage, 'assignment', a))) throw invalidRequest(`assignment "${a}" does not exist`);
            for (const u of c.redirectUris) {
              if (!URL.canParse(u)) throw invalidRequest(`redirect_uris: "${u}" is not an absolute URI`);
            }
            await writeRecord(ctx.storage, 'client', c);
            return null;
          }),
        delete: async (ctx) => {
          await deleteRecord(ctx.storage, 'client', ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete an OIDC client (relying party).' },
    }),
  ];
}
