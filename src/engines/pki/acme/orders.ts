/**
 * Orders (RFC 8555 section 7.4): new-order with one authorization per identifier, an order's
 * state, and an account's list of orders. An order's pending/ready status follows from its
 * authorizations when read, so a validation finishing in the background writes only its
 * authorization, never two entries at once.
 */
import { randomUUID } from 'node:crypto';
import { isCofferError } from '../../../errors.js';
import type { HandlerContext } from '../../../framework/backend.js';
import { applyOps, type Storage } from '../../../logical/storage.js';
import { checkNames } from '../names.js';
import { roleOrFail } from '../paths/roles.js';
import { issuingRole, type Directory } from './directory.js';
import { challengeTypesFor, isWildcard, parseIdentifiers } from './identifiers.js';
import { verifyRequest } from './jws.js';
import { problem } from './problem.js';
import type { AcmeAnswer, AcmeFields } from './respond.js';
import { acmeKeys, authzOp, getAuthz, getOrder, orderOp, type AuthzEntry, type AuthzStatus, type OrderEntry, type OrderStatus } from './store.js';

/** How long a client has to prove control and finalize. */
const ORDER_LIFETIME_MS = 24 * 3600_000;

export function authzStatusAt(a: AuthzEntry, now: number): AuthzStatus {
  // An authorization left pending past its expiry can no longer become valid.
  if (a.status === 'pending' && now > a.expires) return 'invalid';
  return a.status;
}

export async function orderStatusAt(storage: Storage, o: OrderEntry, now: number): Promise<OrderStatus> {
  if (o.status === 'processing' || o.status === 'valid' || o.status === 'invalid') return o.status;
  if (now > o.expires) return 'invalid';
  let allValid = true;
  for (const id of o.authzIds) {
    const a = await getAuthz(storage, o.accountId, id);
    const s = a ? authzStatusAt(a, now) : 'invalid';
    if (s !== 'valid' && s !== 'pending') return 'invalid';
    if (s !== 'valid') allValid = false;
  }
  return allValid ? 'ready' : 'pending';
}

export async function orderJson(ctx: HandlerContext<unknown>, dir: Directory, o: OrderEntry): Promise<Record<string, unknown>> {
  const status = await orderStatusAt(ctx.storage, o, ctx.clock());
  return {
    status,
    expires: new Date(o.expires).toISOString(),
    identifiers: o.identifiers,
    authorizations: o.authzIds.map((id) => dir.url(`authorization/${id}`)),
    finalize: dir.url(`order/${o.id}/finalize`),
    ...(status === 'valid' ? { certificate: dir.url(`order/${o.id}/cert`) } : {}),
    ...(o.error ? { error: o.error } : {}),
  };
}

async function checkRoleAllows(ctx: HandlerContext<unknown>, roleName: string, ids: OrderEntry['identifiers']): Promise<void> {
  if (!roleName) return;
  const role = await roleOrFail(ctx, roleName);
  try {
    checkNames(role, {
      dnsNames: ids.filter((i) => i.type === 'dns').map((i) => i.value),
      ipSans: ids.filter((i) => i.type === 'ip').map((i) => i.value),
      emails: [],
      uriSans: [],
      otherSans: [],
      userIds: [],
    });
  } catch (err) {
    if (isCofferError(err)) throw problem('rejectedIdentifier', err.messages.join('; '));
    throw err;
  }
}

export async function newOrder(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const jws = await verifyRequest(ctx, dir, 'new-order', 'kid');
  const account = jws.account!;
  if (dir.config.eab_policy === 'always-required' && !account.eabKeyId) {
    throw problem('externalAccountRequired', 'this server requires accounts created with an external account binding');
  }
  const p = jws.payload ?? {};
  if (p.notBefore !== undefined || p.notAfter !== undefined) throw problem('malformed', 'notBefore and notAfter are not supported: certificate lifetimes come from the role');
  const identifiers = parseIdentifiers(p.identifiers);
  const roleName = issuingRole(dir);
  await checkRoleAllows(ctx, roleName, identifiers);

  const now = ctx.clock();
  const expires = now + ORDER_LIFETIME_MS;
  const orderId = randomUUID();
  const authzs: AuthzEntry[] = identifiers.map((identifier) => ({
    id: randomUUID(),
    accountId: account.id,
    orderId,
    identifier,
    wildcard: isWildcard(identifier),
    status: 'pending',
    expires,
    challenges: challengeTypesFor(identifier).map((type) => ({ type, token: ctx.random(32).toString('base64url'), status: 'pending' })),
  }));
  const order: OrderEntry = {
    id: orderId,
    accountId: account.id,
    status: 'pending',
    identifiers,
    authzIds: authzs.map((a) => a.id),
    expires,
    directory: { role: roleName, issuer: dir.issuer },
    serial: '',
    chain: '',
  };
  await applyOps(ctx.storage, [orderOp(order), ...authzs.map(authzOp)]);
  return { status: 201, json: await orderJson(ctx, dir, order), location: dir.url(`order/${orderId}`) };
}

export async function readOrder(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const id = String(ctx.fields.order_id);
  const jws = await verifyRequest(ctx, dir, `order/${id}`, 'kid');
  const order = await getOrder(ctx.storage, jws.account!.id, id);
  if (!order) throw problem('malformed', 'this account has no such order', 404);
  return { json: await orderJson(ctx, dir, order), location: dir.url(`order/${id}`) };
}

export async function listOrders(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const jws = await verifyRequest(ctx, dir, 'orders', 'kid');
  const ids = await ctx.storage.list(acmeKeys.ordersOf(jws.account!.id));
  return { json: { orders: ids.map((id) => dir.url(`order/${id}`)) } };
}
