/**
 * Login MFA's TOTP methods (`mfa/method/totp`, `mfa/method/totp/:method_id`, LIST) and the
 * per-entity secrets: `admin-generate` (an operator, for any entity), `generate` (the
 * caller's own entity), `admin-destroy`. A secret is shown once, as an otpauth:// URL and a
 * QR code of it; reads of a method never show secrets.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import type { Response } from '../../../logical/request.js';
import { newTotpSecret, totpBarcode, totpUrl, TOTP_ALGORITHMS, type TotpAlgorithm } from '../../../crypto/totp.js';
import type { IdentityStore } from '../identity-store.js';
import type { MfaStore } from '../mfa/mfa-store.js';
import type { TotpMethod } from '../mfa/types.js';
import { listWithInfo } from '../views.js';

const methodFields = {
  method_name: z.string().optional().describe('A unique name for the method; the X-Vault-MFA header may use it instead of the id'),
  issuer: z.string().optional().describe('The issuer shown in authenticator apps (required on create)'),
  period: f.duration().optional().describe('Seconds a code is valid; default 30'),
  key_size: f.int().optional().describe('Bytes of the generated secret; default 20'),
  qr_size: f.int().optional().describe('Pixels of the QR code; 0 for none; default 200'),
  algorithm: z.string().optional().describe('SHA1 (default), SHA256 or SHA512'),
  digits: f.int().optional().describe('6 (default) or 8'),
  skew: f.int().optional().describe('Periods before and after the current one whose codes are accepted: 0 or 1 (default)'),
  max_validation_attempts: f.int().optional().describe('Failed validations allowed per entity before further ones are refused for a while; default 5'),
};
type MethodFields = { method_id?: string } & { [K in keyof typeof methodFields]?: z.infer<(typeof methodFields)[K]> };

function bounded(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw invalidRequest(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

/** The method after applying `fields` to `prev` (or to Vault's defaults); 400 naming the bad field. */
function applyFields(prev: TotpMethod | undefined, fields: MethodFields, now: number): TotpMethod {
  const issuer = (fields.issuer ?? prev?.issuer ?? '').trim();
  if (issuer === '') throw invalidRequest('issuer is required');
  const algorithm = (fields.algorithm ?? prev?.algorithm ?? 'SHA1').toUpperCase() as TotpAlgorithm;
  if (!TOTP_ALGORITHMS.includes(algorithm)) throw invalidRequest(`algorithm must be one of ${TOTP_ALGORITHMS.join(', ')}`);
  const digits = fields.digits ?? prev?.digits ?? 6;
  if (digits !== 6 && digits !== 8) throw invalidRequest('digits must be 6 or 8');
  const skew = fields.skew ?? prev?.skew ?? 1;
  if (skew !== 0 && skew !== 1) throw invalidRequest('skew must be 0 or 1');
  const attempts = fields.max_validation_attempts ?? prev?.maxValidationAttempts ?? 5;
  return {
    id: prev?.id ?? randomUUID(),
    name: (fields.method_name ?? prev?.name ?? '').trim(),
    issuer,
    period: bounded('period', fields.period ?? prev?.period ?? 30, 1, 3600),
    keySize: bounded('key_size', fields.key_size ?? prev?.keySize ?? 20, 10, 128),
    qrSize: bounded('qr_size', fields.qr_size ?? prev?.qrSize ?? 200, 0, 2000),
    algorithm,
    digits,
    skew,
    maxValidationAttempts: attempts === 0 ? 5 : bounded('max_validation_attempts', attempts, 1, 1000),
    creationTime: prev?.creationTime ?? now,
    updateTime: now,
  };
}

export function methodView(m: TotpMethod): Record<string, unknown> {
  return {
    id: m.id,
    name: m.name,
    type: 'totp',
    namespace_id: 'root',
    mount_accessor: '',
    issuer: m.issuer,
    period: m.period,
    key_size: m.keySize,
    qr_size: m.qrSize,
    algorithm: m.algorithm,
    digits: m.digits,
    skew: m.skew,
    max_validation_attempts: m.maxValidationAttempts,
    creation_time: new Date(m.creationTime).toISOString(),
    update_time: new Date(m.updateTime).toISOString(),
  };
}

async function writeMethod(mfa: MfaStore, id: string | undefined, fields: MethodFields): Promise<Response> {
  return mfa.change(async () => {
    const prev = id === undefined ? undefined : mfa.method(id);
    if (id !== undefined && !prev) throw invalidRequest(`MFA method "${id.slice(0, 64)}" does not exist`);
    const m = applyFields(prev, fields, mfa.clock());
    if (m.name !== '' && mfa.allMethods().some((o) => o.id !== m.id && o.name === m.name)) throw invalidRequest(`an MFA method named "${m.name.slice(0, 64)}" already exists`);
    await mfa.putMethod(m);
    return { data: { method_id: m.id } };
  });
}

/** Makes and stores a secret for the entity unless it has one; answers the URL and QR code once. */
async function generateFor(mfa: MfaStore, identity: IdentityStore, methodId: string | undefined, entityId: string): Promise<Response> {
  if (!methodId) throw invalidRequest('missing method_id');
  return mfa.change(async () => {
    const method = mfa.method(methodId);
    if (!method) throw invalidRequest(`MFA method "${methodId.slice(0, 64)}" does not exist`);
    const entity = identity.entity(entityId);
    if (!entity) throw invalidRequest(`entity "${entityId.slice(0, 64)}" does not exist`);
    if (mfa.secret(method.id, entityId)) return { data: null, warnings: ['Entity already has a secret for MFA method "' + method.id + '"'] };
    const secret = newTotpSecret(method.keySize);
    const key = { secret, issuer: method.issuer, accountName: entity.name, algorithm: method.algorithm, digits: method.digits, period: method.period };
    await mfa.putSecret({ methodId: method.id, entityId, secret, accountName: entity.name });
    const data: Record<string, unknown> = { url: totpUrl(key) };
    data.barcode = method.qrSize > 0 ? await totpBarcode(key, method.qrSize) : '';
    return { data };
  });
}

export function mfaMethodPaths(identity: IdentityStore, mfa: MfaStore): PathDefinition[] {
  const entityField = { method_id: z.string().optional(), entity_id: z.string().optional() };
  const requireEntity = (ctx: HandlerContext<{ entity_id?: string }>) => {
    const id = (ctx.fields.entity_id ?? '').trim();
    if (id === '') throw invalidRequest('missing entity_id');
    return id;
  };
  return [
    definePath({
      pattern: 'mfa/method/totp/admin-generate',
      fields: entityField,
      operations: { update: (ctx) => generateFor(mfa, identity, ctx.fields.method_id, requireEntity(ctx)) },
      help: { synopsis: 'Generate a TOTP secret for an entity (an operator’s call); the answer holds the otpauth URL and its QR code.' },
    }),
    definePath({
      pattern: 'mfa/method/totp/generate',
      fields: { method_id: z.string().optional() },
      operations: {
        update: (ctx) => {
          const entityId = ctx.caller?.entityId ?? '';
          if (entityId === '') throw invalidRequest('the calling token has no entity: log in through an auth method to generate a TOTP secret');
          return generateFor(mfa, identity, ctx.fields.method_id, entityId);
        },
      },
      help: { synopsis: 'Generate a TOTP secret for the calling token’s entity.' },
    }),
    definePath({
      pattern: 'mfa/method/totp/admin-destroy',
      fields: entityField,
      operations: {
        update: async (ctx) => {
          const entityId = requireEntity(ctx);
          const methodId = ctx.fields.method_id ?? '';
          if (!mfa.method(methodId)) throw invalidRequest(`MFA method "${methodId.slice(0, 64)}" does not exist`);
          await mfa.change(() => mfa.deleteSecret(methodId, entityId));
          return null;
        },
      },
      help: { synopsis: 'Delete an entity’s TOTP secret for a method (a lost device); it can then generate a new one.' },
    }),
    definePath({
      pattern: 'mfa/method/totp/?',
      fields: { ...methodFields },
      operations: {
        update: (ctx) => writeMethod(mfa, undefined, ctx.fields),
        list: () => {
          const methods = mfa.allMethods();
          return listWithInfo(methods.map((m) => m.id), Object.fromEntries(methods.map((m) => [m.id, methodView(m)])));
        },
      },
      help: { synopsis: 'Create a TOTP MFA method (answers its method_id), or list them.' },
    }),
    definePath({
      pattern: 'mfa/method/totp/:method_id',
      fields: { method_id: z.string(), ...methodFields },
      operations: {
        read: (ctx) => {
          const m = mfa.method(ctx.fields.method_id);
          return m ? { data: methodView(m) } : null;
        },
        update: (ctx) => writeMethod(mfa, ctx.fields.method_id, ctx.fields),
        delete: async (ctx) => {
          if (mfa.method(ctx.fields.method_id)) await mfa.change(() => mfa.deleteMethod(ctx.fields.method_id));
          return null;
        },
      },
      help: { synopsis: 'Read, update or delete a TOTP MFA method.' },
    }),
    definePath({
      pattern: 'mfa/method/:method_id',
      fields: { method_id: z.string() },
      operations: {
        read: (ctx) => {
          const m = mfa.method(ctx.fields.method_id);
          return m ? { data: methodView(m) } : null;
        },
      },
      help: { synopsis: 'Read an MFA method of any type by id.' },
    }),
    definePath({
      pattern: 'mfa/method/?',
      operations: {
        list: () => {
          const methods = mfa.allMethods();
          return listWithInfo(methods.map((m) => m.id), Object.fromEntries(methods.map((m) => [m.id, methodView(m)])));
        },
      },
      help: { synopsis: 'List MFA methods of every type.' },
    }),
  ];
}
