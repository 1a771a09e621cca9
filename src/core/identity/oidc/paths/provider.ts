/** `oidc/provider/:name` and LIST `oidc/provider` (filtered by `allowed_client_id`). */
import { z } from 'zod';
import { invalidRequest } from '../../../../errors.js';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import { f } from '../../../../framework/fields.js';
import type { OidcState } from '../oidc-state.js';
import { allRecords, deleteRecord, listAnswer, readRecord, writeRecord } from '../records.js';
import type { Provider } from '../types.js';

export function checkIssuer(issuer: string): string {
  const t = issuer.trim().replace(/\/+$/, '');
  if (t === '') return '';
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw invalidRequest('invalid issuer: expected a URL such as https://vault.example.com:8200');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw invalidRequest('invalid issuer: only scheme://host:port is allowed; the path is always /v1/identity/oidc/provider/<name>');
  }
  return t;
}

export function providerPaths(oidc: OidcState): PathDefinition[] {
  const view = (p: Provider) => ({ issuer: oidc.providerIssuer(p.issuer, p.name), allowed_client_ids: p.allowedClientIds, scopes_supported: p.scopesSupported });
  return [
    definePath({
      pattern: 'oidc/provider/?',
      fields: { allowed_client_id: z.string().optional().describe('Only providers that allow this client id') },
      operations: {
        list: async (ctx) => {
          await oidc.ensureDefaults(ctx.storage, ctx.clock());
          const want = ctx.fields.allowed_client_id;
          const providers = (await allRecords(ctx.storage, 'provider')).filter((p) => !want || p.allowedClientIds.includes('*') || p.allowedClientIds.includes(want));
          return listAnswer(providers.map((p) => p.name), Object.fromEntries(providers.map((p) => [p.name, view(p)])));
        },
      },
      help: { synopsis: 'List OIDC providers.' },
    }),
    definePath({
      pattern: 'oidc/provider/:name',
      fields: {
        name: z.string().describe('Name of the provider'),
        issuer: z.string().optional().describe('scheme://host:port of the iss claim; empty = the server’s api_addr'),
        allowed_client_ids: f.commaList().optional().describe('Client ids that may use the provider; "*" for all'),
        scopes_supported: f.commaList().optional().describe('Scopes clients may request'),
      },
      existenceCheck: async (ctx) => (await readRecord(ctx.storage, 'provider', ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          await oidc.ensureDefaults(ctx.storage, ctx.clock());
          const p = await readRecord(ctx.storage, 'provider', ctx.fields.name);
          return p ? { data: view(p) } : null;
        },
        update: async (ctx) =>
          oidc.lock.run('providers', async () => {
            await oidc.ensureDefaults(ctx.storage, ctx.clock());
            const old = await readRecord(ctx.storage, 'provider', ctx.fields.name);
            const p: Provider = {
              name: ctx.fields.name,
              issuer: ctx.fields.issuer !== undefined ? checkIssuer(ctx.fields.issuer) : old?.issuer ?? '',
              allowedClientIds: ctx.fields.allowed_client_ids ?? old?.allowedClientIds ?? [],
              scopesSupported: ctx.fields.scopes_supported ?? old?.scopesSupported ?? [],
            };
            for (const s of p.scopesSupported) {
              if (s === 'openid') throw invalidRequest('the "openid" scope is always supported and cannot be listed');
              if (!(await readRecord(ctx.storage, 'scope', s))) throw invalidRequest(`scope "${s}" does not exist`);
            }
            await writeRecord(ctx.storage, 'provider', p);
            return null;
          }),
        delete: async (ctx) => {
          await deleteRecord(ctx.storage, 'provider', ctx.fields.name);
          return null;
        },
      },
      help: { synopsis: 'Create, read, update or delete an OIDC provider.' },
    }),
  ];
}
