/**
 * ACME accounts (RFC 8555 sections 7.3, 7.3.2, 7.3.5, 7.3.6): new-account (or finding the
 * account of a key), account updates and deactivation, and key rollover. An account is its
 * key: the key's thumbprint indexes it, so one key never holds two accounts.
 */
import { randomUUID } from 'node:crypto';
import { applyOps, jsonOp, type StorageOp } from '../../../logical/storage.js';
import { KeyLock } from '../../../framework/key-lock.js';
import type { HandlerContext } from '../../../framework/backend.js';
import type { Directory } from './directory.js';
import { checkBinding } from './eab.js';
import { decodeJsonObject, publicJwk, thumbprintOf, verifyRequest, verifySignature, isJwsBody, JWS_ALGORITHMS } from './jws.js';
import { problem, AcmeProblem } from './problem.js';
import type { AcmeAnswer, AcmeFields } from './respond.js';
import { accountByThumbprint, accountOps, acmeKeys, getAccount, type AccountEntry } from './store.js';

/** Accounts are created and re-keyed one at a time per mount: the key index must not race. */
const accountLock = new KeyLock();

function accountJson(dir: Directory, a: AccountEntry): Record<string, unknown> {
  return {
    status: a.status,
    contact: a.contact,
    termsOfServiceAgreed: a.termsOfServiceAgreed,
    orders: dir.url('orders'),
    createdAt: a.createdAt,
    ...(a.eabKeyId ? { externalAccountBinding: { kid: a.eabKeyId } } : {}),
  };
}

function contactOf(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((c) => typeof c !== 'string')) throw problem('malformed', 'contact must be a list of mailto: URLs');
  for (const c of v as string[]) {
    if (!/^mailto:[^@\s,]+@[^@\s,]+$/.test(c)) throw problem('unsupportedContact', `unsupported contact "${c.slice(0, 100)}": only one mailto: address per entry`);
  }
  return v as string[];
}

export async function newAccount(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const jws = await verifyRequest(ctx, dir, 'new-account', 'jwk');
  const p = jws.payload ?? {};
  return accountLock.run(ctx.mount.uuid, async () => {
    const existing = await accountByThumbprint(ctx.storage, jws.thumbprint);
    if (existing) return { status: 200, json: accountJson(dir, existing), location: dir.url(`account/${existing.id}`) };
    if (p.onlyReturnExisting === true) throw problem('accountDoesNotExist', 'no account exists for this key');
    const contact = contactOf(p.contact);
    const ops: StorageOp[] = [];
    let eabKeyId = '';
    if (p.externalAccountBinding !== undefined) {
      const eab = await checkBinding(ctx, dir, p.externalAccountBinding, jws.jwk);
      eabKeyId = eab.id;
      ops.push({ kind: 'delete', key: acmeKeys.eab(eab.id) });
    } else if (dir.config.eab_policy !== 'not-required') {
      throw problem('externalAccountRequired', 'this server requires an external account binding for new accounts: ask its operator for an EAB key id and HMAC key');
    }
    const account: AccountEntry = {
      id: randomUUID(),
      status: 'valid',
      jwk: jws.jwk,
      thumbprint: jws.thumbprint,
      contact,
      termsOfServiceAgreed: p.termsOfServiceAgreed === true,
      eabKeyId,
      createdAt: new Date(ctx.clock()).toISOString(),
    };
    await applyOps(ctx.storage, [...accountOps(account), ...ops]);
    return { status: 201, json: accountJson(dir, account), location: dir.url(`account/${account.id}`) };
  });
}

export async function updateAccount(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const kid = String(ctx.fields.kid);
  const jws = await verifyRequest(ctx, dir, `account/${kid}`, 'kid');
  const account = jws.account!;
  if (account.id !== kid) throw problem('unauthorized', 'an account may only read or change itself', 403);
  const p = jws.payload;
  if (!p) return { json: accountJson(dir, account), location: dir.url(`account/${kid}`) };
  if (p.status !== undefined && p.status !== 'deactivated') throw problem('malformed', 'an account may only set its status to "deactivated"');
  const contact = p.contact !== undefined ? contactOf(p.contact) : undefined;
  // Under the lock and from the entry as it is now: a key change or deactivation that landed
  // since the JWS was checked is kept, not overwritten with the copy read before it.
  return accountLock.run(ctx.mount.uuid, async () => {
    const current = (await getAccount(ctx.storage, kid)) ?? account;
    const next: AccountEntry = { ...current, contact: contact ?? current.contact, status: p.status === 'deactivated' ? 'deactivated' : current.status };
    await applyOps(ctx.storage, [jsonOp(acmeKeys.account(kid), next)]);
    return { json: accountJson(dir, next), location: dir.url(`account/${kid}`) };
  });
}

/** RFC 8555 section 7.3.5: the old key signs the outer JWS, the new key the inner one, which names the account and the old key. */
export async function keyChange(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const jws = await verifyRequest(ctx, dir, 'key-change', 'kid');
  const account = jws.account!;
  const inner = jws.payload;
  if (!isJwsBody(inner)) throw problem('malformed', 'the key-change payload must be a flattened JWS signed by the new key');
  const header: { alg?: unknown; jwk?: unknown; url?: unknown; nonce?: unknown; kid?: unknown } = decodeJsonObject(inner.protected, 'inner JWS protected header');
  if (typeof header.alg !== 'string' || !JWS_ALGORITHMS.includes(header.alg)) throw problem('badSignatureAlgorithm', `unsupported inner JWS algorithm "${String(header.alg)}"`);
  if (header.nonce !== undefined || header.kid !== undefined) throw problem('malformed', 'the inner JWS carries jwk only: no nonce, no kid');
  if (header.url !== jws.header.url) throw problem('malformed', 'the inner JWS url must equal the outer one');
  const newJwk = publicJwk(header.jwk);
  await verifySignature(inner, newJwk, header.alg);
  const body: { account?: unknown; oldKey?: unknown } = decodeJsonObject(inner.payload, 'inner JWS payload ({account, oldKey})');
  if (body.account !== dir.url(`account/${account.id}`)) throw problem('malformed', 'the inner payload names another account');
  let oldThumb = '';
  try {
    oldThumb = await thumbprintOf(publicJwk(body.oldKey));
  } catch {
    oldThumb = '';
  }
  if (oldThumb !== account.thumbprint) throw problem('malformed', "the inner payload's oldKey is not the account's current key");
  const newThumb = await thumbprintOf(newJwk);
  return accountLock.run(ctx.mount.uuid, async () => {
    const holder = await accountByThumbprint(ctx.storage, newThumb);
    if (holder) {
      throw new AcmeProblem('malformed', 'the new key already belongs to an account', 409, { location: dir.url(`account/${holder.id}`) });
    }
    // Re-read under the lock: another key change may have replaced the old key, or the account been deactivated.
    const current = await getAccount(ctx.storage, account.id);
    if (!current || current.thumbprint !== account.thumbprint) throw problem('malformed', "the account's key changed while this request was checked: sign with its current key");
    if (current.status !== 'valid') throw problem('unauthorized', `the account is ${current.status}`, 403);
    const next: AccountEntry = { ...current, jwk: newJwk, thumbprint: newThumb };
    await applyOps(ctx.storage, [...accountOps(next), { kind: 'delete', key: acmeKeys.byKey(current.thumbprint) }]);
    return { json: accountJson(dir, next), location: dir.url(`account/${account.id}`) };
  });
}
