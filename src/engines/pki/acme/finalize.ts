/**
 * finalize (RFC 8555 section 7.4): a ready order's CSR, whose names must be exactly the
 * order's identifiers, signed through the directory's role (or sign-verbatim) by the same
 * leaf code as sign/:role; and the certificate download as a PEM chain.
 */
import { isIP } from 'node:net';
import { createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { isCofferError } from '../../../errors.js';
import type { HandlerContext } from '../../../framework/backend.js';
import { KeyLock } from '../../../framework/key-lock.js';
import { applyOps, jsonOp } from '../../../logical/storage.js';
import { certKey, issueLeaf, type StoredCert } from '../leaf.js';
import { allIssuers } from '../storage.js';
import { checkCsrKey, parseCsr } from '../paths/issue.js';
import { roleFields, roleOrFail, type Role } from '../paths/roles.js';
import type { Directory } from './directory.js';
import { canonicalIp, identifierKey } from './identifiers.js';
import { thumbprintOf, verifyRequest } from './jws.js';
import { orderJson, orderStatusAt } from './orders.js';
import { problem } from './problem.js';
import type { AcmeAnswer, AcmeFields } from './respond.js';
import { acmeCertOp, getOrder, orderOp, type OrderEntry } from './store.js';

const orderLock = new KeyLock();

/** sign-verbatim: any valid name the order proved, the CSR's key as it is. */
function verbatimRole(): Role {
  return { ...z.object(roleFields).parse({}), allow_any_name: true, key_type: 'any', key_bits: 0 };
}

/** The role as ACME applies it: names come from proven identifiers. */
async function acmeRole(ctx: HandlerContext<unknown>, dir: Directory, order: OrderEntry): Promise<Role> {
  const base = order.directory.role ? await roleOrFail(ctx, order.directory.role) : verbatimRole();
  // no_store: finalize stores the certificate itself, in the same write as the order, so it can always be revoked.
  const role: Role = { ...base, require_cn: false, no_store: true };
  if (order.directory.issuer) role.issuer_ref = order.directory.issuer;
  if (dir.config.max_ttl) role.max_ttl = Math.min(role.max_ttl || Infinity, dir.config.max_ttl);
  if (!dir.config.allow_role_ext_key_usage) Object.assign(role, { server_flag: true, client_flag: false, ext_key_usage: [] });
  return role;
}

function csrNames(csr: x509.Pkcs10CertificateRequest): { dns: string[]; ip: string[]; cn?: string } {
  const cn = csr.subjectName.getField('CN')[0]?.toLowerCase();
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  const dns = items.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase());
  if (items.some((n) => n.type !== 'dns' && n.type !== 'ip')) throw problem('badCSR', 'the CSR may only name DNS names and IP addresses');
  // An iPAddress SAN of 8 or 32 bytes is an address with a mask ("10.0.0.0/8"): no identifier is one.
  const bad = items.find((n) => n.type === 'ip' && isIP(n.value) === 0);
  if (bad) throw problem('badCSR', `the CSR's IP address SAN "${bad.value}" is not a single address`);
  const ip = items.filter((n) => n.type === 'ip').map((n) => canonicalIp(n.value));
  return { dns, ip, cn };
}

function checkNamesMatch(order: OrderEntry, names: { dns: string[]; ip: string[]; cn?: string }): void {
  const asked = new Set([...names.dns.map((v) => `dns:${v}`), ...names.ip.map((v) => `ip:${v}`)]);
  if (names.cn) asked.add(names.ip.includes(names.cn) ? `ip:${names.cn}` : `dns:${names.cn}`);
  const ordered = new Set(order.identifiers.map(identifierKey));
  const missing = [...ordered].filter((k) => !asked.has(k));
  const extra = [...asked].filter((k) => !ordered.has(k));
  if (missing.length || extra.length) {
    throw problem('badCSR', `the CSR's names must be exactly the order's identifiers${extra.length ? `; not in the order: ${extra.join(', ')}` : ''}${missing.length ? `; missing: ${missing.join(', ')}` : ''}`);
  }
}

async function csrOf(payload: Record<string, unknown> | null): Promise<x509.Pkcs10CertificateRequest> {
  if (typeof payload?.csr !== 'string' || !/^[A-Za-z0-9_-]+$/.test(payload.csr)) throw problem('malformed', 'finalize needs csr: a base64url DER certificate signing request');
  const pem = x509.PemConverter.encode(Buffer.from(payload.csr, 'base64url'), 'CERTIFICATE REQUEST');
  try {
    return await parseCsr(pem);
  } catch (err) {
    if (isCofferError(err)) throw problem('badCSR', err.messages.join('; '));
    throw err;
  }
}

export async function finalize(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const id = String(ctx.fields.order_id);
  const jws = await verifyRequest(ctx, dir, `order/${id}/finalize`, 'kid');
  const account = jws.account!;
  return orderLock.run(id, async () => {
    const order = await getOrder(ctx.storage, account.id, id);
    if (!order) throw problem('malformed', 'this account has no such order', 404);
    const status = await orderStatusAt(ctx.storage, order, ctx.clock());
    if (status !== 'ready') throw problem('orderNotReady', `the order is ${status}, not ready: ${status === 'pending' ? 'complete its authorizations first' : 'it cannot be finalized'}`);
    const csr = await csrOf(jws.payload);
    const names = csrNames(csr);
    checkNamesMatch(order, names);
    const csrJwk = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    if ((await thumbprintOf(csrJwk as never)) === account.thumbprint) throw problem('badCSR', "the certificate's key must not be the account key");
    const role = await acmeRole(ctx, dir, order);
    let data: Record<string, unknown>;
    try {
      await checkCsrKey(role, csr);
      data = await issueLeaf(ctx, role, {
        commonName: names.cn ?? order.identifiers.find((i) => i.type === 'dns' && i.value.length <= 64)?.value,
        dnsNames: order.identifiers.filter((i) => i.type === 'dns').map((i) => i.value),
        ipSans: order.identifiers.filter((i) => i.type === 'ip').map((i) => i.value),
        ttl: 0,
        publicKey: csr.publicKey,
        excludeCnFromSans: false,
      });
    } catch (err) {
      if (isCofferError(err) && err.status < 500) throw problem('badCSR', err.messages.join('; '));
      throw err;
    }
    const chain = [String(data.certificate), ...(data.ca_chain as string[])].map((p) => p.trim() + '\n').join('');
    const serial = String(data.serial_number);
    const done: OrderEntry = { ...order, status: 'valid', serial, chain };
    const issuer = (await allIssuers(ctx.storage)).find((i) => i.certificate === data.issuing_ca);
    if (!issuer) throw problem('serverInternal', 'the issuer went away while the certificate was being signed', 500);
    const stored: StoredCert = { certificate: String(data.certificate), issuerId: issuer.id, revocationTime: 0 };
    await applyOps(ctx.storage, [jsonOp(certKey(serial), stored), orderOp(done), acmeCertOp(serial, { accountId: account.id, orderId: id })]);
    return { json: await orderJson(ctx, dir, done), location: dir.url(`order/${id}`) };
  });
}

export async function certificate(ctx: HandlerContext<AcmeFields>, dir: Directory): Promise<AcmeAnswer> {
  const id = String(ctx.fields.order_id);
  const jws = await verifyRequest(ctx, dir, `order/${id}/cert`, 'kid');
  const order = await getOrder(ctx.storage, jws.account!.id, id);
  if (!order) throw problem('malformed', 'this account has no such order', 404);
  if (order.status !== 'valid') throw problem('orderNotReady', 'the order has no certificate yet', 403);
  return { pem: order.chain };
}
