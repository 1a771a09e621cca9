/**
 * `oidc/key/:name` (create, read, update, delete), LIST `oidc/key`, and
 * `oidc/key/:name/rotate`. The private halves never appear in an answer.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../../errors.js';
import { definePath, type PathDefinition } from '../../../../framework/backend.js';
import { f } from '../../../../framework/fields.js';
import { createKey, rotateKey } from '../keys.js';
import type { OidcState } from '../oidc-state.js';
import { allRecords, deleteRecord, listAnswer, listNames, readRecord, writeRecord } from '../records.js';
import { ALGORITHMS, type NamedKey } from '../types.js';

const DAY = 86400;

const keyView = (k: NamedKey) => ({
  algorithm: k.algorithm,
  rotation_period: k.rotationPeriod,
  verification_ttl: k.verificationTtl,
  allowed_client_ids: k.allowedClientIds,
});

export function keyPaths(oidc: OidcState): PathDefinition[] {
  return [
    definePath({
      pattern: 'oidc/key/?',
      operations: {
        list: async (ctx) => {
          await oidc.ensureDefaults(ctx.storage, ctx.clock());
          return listAnswer(await listNames(ctx.storage, 'key'));
        },
      },
      help: { synopsis: 'List named signing keys.' },
    }),
    definePath({
      pattern: 'oidc/key/:name',
      fields: {
        name: z.string().describe('Name of the key'),
        algorithm: z.enum(ALGORITHMS).optional().describe('Signing algorithm: RS256 (default), RS384, RS512, ES256, ES384, ES512 or EdDSA'),
        rotation_period: f.duration().optional().describe('How often a new signing key is made (default 24h)'),
        verification_ttl: f.duration().optional().describe('How long a rotated key stays published for verification (default 24h)'),
        allowed_client_ids: f.commaList().optional().describe('Client ids of roles and clients that may use the key; "*" for all'),
      },
      existenceCheck: async (ctx) => (await readRecord(ctx.storage, 'key', ctx.fields.name)) !== null,
      operations: {
        read: async (ctx) => {
          const key = await readRecord(ctx.storage, 'key', ctx.fields.name);
          return key ? { data: keyView(key) } : null;
        },
        update: async (ctx) =>
          oidc.lock.run(`key/${ctx.fields.name}`, async () => {
            const { name } = ctx.fields;
            const now = ctx.clock();
            const old = await readRecord(ctx.storage, 'key', name);
            const next = {
              name,
              algorithm: ctx.fields.algorithm ?? old?.algorithm ?? 'RS256',
              rotationPeriod: ctx.fields.rotation_period ?? old?.rotationPeriod ?? DAY,
              verificationTtl: ctx.fields.verification_ttl ?? old?.verificationTtl ?? DAY,
              allowedClientIds: ctx.fields.allowed_client_ids ?? old?.allowedClientIds ?? [],
            };
            if (next.rotationPeriod < 1) throw invalidRequest('rotation_period must be at least one second');
            if (next.verificationTtl > 10 * next.rotationPeriod) throw invalidRequest('verification_ttl cannot be longer than 10x rotation_period');
            const longRoles = (await allRecords(ctx.storage, 'role')).filter((r) => r.key === name && r.ttl > next.verificationTtl);
            if (longRoles.length) {
              throw invalidRequest(`unable to update key "${name}" because it is currently referenced by roles with a token ttl greater than ${next.verificationTtl} seconds: ${longRoles.map((r) => r.name).join(', ')}`);
            }
            let key: NamedKey;
            if (!old) key = await createKey(next, now);
            else {
              key = { ...old, ...next, nextRotation: next.rotationPeriod !== old.rotationPeriod ? now + next.rotationPeriod * 1000 : old.nextRotation };
              // A new algorithm needs a new key pair: rotate at once, keeping the old one for verification.
              if (next.algorithm !== old.algorithm) key = await rotateKey(key, now);
            }
            await writeRecord(ctx.storage, 'key', key);
            return null;
          }),
        delete: async (ctx) =>
          oidc.lock.run(`key/${ctx.fields.name}`, async () => {
            const { name } = ctx.fields;
            const roles = (await allRecords(ctx.storage, 'role')).filter((r) => r.key === name).map((r) => r.name);
            if (roles.length) throw invalidRequest(`unable to delete key "${name}" because it is currently referenced by these roles: ${roles.join(', ')}`);
            const clients = (await allRecords(ctx.storage, 'client')).filter((c) => c.key === name).map((c) => c.name);
            if (clients.length) throw invalidRequest(`unable to delete key "${name}" because it is currently referenced by these clients: ${clients.join(', ')}`);
            await deleteRecord(ctx.storage, 'key', name);
            return null;
          }),
      },
      help: { synopsis: 'Create, read, update or delete a named key that signs identity tokens.' },
    }),
    definePath({
      pattern: 'oidc/key/:name/rotate',
      fields: {
        name: z.string().describe('Name of the key'),
        verification_ttl: f.duration().optional().describe('How long the key being replaced stays published; defaults to the key’s verification_ttl'),
      },
      operations: {
        update: async (ctx) =>
          oidc.lock.run(`key/${ctx.fields.name}`, async () => {
            const key = await readRecord(ctx.storage, 'key', ctx.fields.name);
            if (!key) throw invalidRequest(`no named key found at "${ctx.fields.name}"`);
            await writeRecord(ctx.storage, 'key', await rotateKey(key, ctx.clock(), ctx.fields.verification_ttl));
            return null;
          }),
      },
      help: { synopsis: 'Rotate a named key now: a new key signs, the old one stays published for verification_ttl.' },
    }),
  ];
}
