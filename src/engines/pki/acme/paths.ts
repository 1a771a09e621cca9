/**
 * The ACME resources of every directory a mount serves, from one table: each resource under
 * acme/, roles/:role/acme/, issuer/:issuer_ref/acme/ and issuer/:issuer_ref/roles/:role/acme/.
 * They need no Vault token (the JWS is the authentication), so the same table gives the
 * mount's unauthenticated list; new-eab stays behind a token.
 */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { keyChange, newAccount, updateAccount } from './accounts.js';
import { authorization, challenge } from './authorizations.js';
import { configPaths } from './config.js';
import { directoryDocument } from './directory.js';
import { eabPaths } from './eab.js';
import { certificate, finalize } from './finalize.js';
import { listOrders, newOrder, readOrder } from './orders.js';
import { acmeResource, type AcmeHandler } from './respond.js';
import { revokeCert } from './revoke-cert.js';

const PREFIXES = ['', 'roles/:role/', 'issuer/:issuer_ref/', 'issuer/:issuer_ref/roles/:role/'];

interface Resource {
  path: string;
  /** read: GET/HEAD (directory, new-nonce); update: a JWS POST. */
  op: 'read' | 'update';
  handler: AcmeHandler;
  synopsis: string;
}

const RESOURCES: Resource[] = [
  { path: 'directory', op: 'read', handler: async (_ctx, dir) => ({ json: directoryDocument(dir) }), synopsis: 'The ACME directory: the URLs of the other resources.' },
  // 204 for GET and HEAD alike: the nonce is in the header either way.
  { path: 'new-nonce', op: 'read', handler: async () => ({}), synopsis: 'A fresh Replay-Nonce.' },
  { path: 'new-account', op: 'update', handler: newAccount, synopsis: 'Create an account for a key, or find the key\'s account.' },
  { path: 'account/:kid', op: 'update', handler: updateAccount, synopsis: 'Read, update or deactivate an account.' },
  { path: 'key-change', op: 'update', handler: keyChange, synopsis: "Replace an account's key." },
  { path: 'new-order', op: 'update', handler: newOrder, synopsis: 'Order a certificate for identifiers.' },
  { path: 'orders', op: 'update', handler: listOrders, synopsis: "The account's orders." },
  { path: 'order/:order_id', op: 'update', handler: readOrder, synopsis: 'An order.' },
  { path: 'order/:order_id/finalize', op: 'update', handler: finalize, synopsis: "Finalize a ready order with a CSR naming exactly its identifiers." },
  { path: 'order/:order_id/cert', op: 'update', handler: certificate, synopsis: "A valid order's certificate chain (PEM)." },
  { path: 'authorization/:auth_id', op: 'update', handler: authorization, synopsis: 'An authorization, or its deactivation.' },
  { path: 'challenge/:auth_id/:challenge_type', op: 'update', handler: challenge, synopsis: 'A challenge; a POST with {} starts its validation.' },
  { path: 'revoke-cert', op: 'update', handler: revokeCert, synopsis: 'Revoke a certificate, as its account or with its key.' },
];

const paramField = (name: string) => z.string().describe(name === 'role' ? 'The role the directory issues under' : name === 'issuer_ref' ? 'The issuer the directory issues from' : `The ${name}`);

function resourcePath(prefix: string, r: Resource): PathDefinition {
  const pattern = `${prefix}acme/${r.path}`;
  const params = pattern.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
  const fields: Record<string, z.ZodType> = {
    protected: z.unknown().optional().describe('JWS protected header (base64url)'),
    payload: z.unknown().optional().describe('JWS payload (base64url)'),
    signature: z.unknown().optional().describe('JWS signature (base64url)'),
  };
  for (const p of params) fields[p] = paramField(p);
  return definePath({ pattern, fields, operations: { [r.op]: acmeResource(r.handler) }, help: { synopsis: `ACME: ${r.synopsis}` } });
}

export function acmePaths(): PathDefinition[] {
  return [...configPaths(), ...eabPaths(PREFIXES), ...PREFIXES.flatMap((prefix) => RESOURCES.map((r) => resourcePath(prefix, r)))];
}

/** Every ACME resource path in the framework's special-path form (`+` for one segment). */
export const acmeUnauthenticated = (): string[] =>
  PREFIXES.flatMap((prefix) => RESOURCES.map((r) => `${prefix}acme/${r.path}`.split('/').map((s) => (s.startsWith(':') ? '+' : s)).join('/')));
