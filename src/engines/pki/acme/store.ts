/**
 * ACME state in the mount's storage view, under `acme/`. Orders and authorizations live
 * below their account, so a lookup with another account's kid simply finds nothing: no
 * separate ownership check to forget.
 */
import type { JWK } from 'jose';
import { getJson, jsonOp, type Storage, type StorageOp } from '../../../logical/storage.js';
import type { ChallengeType, Identifier } from './challenges/types.js';

export type AccountStatus = 'valid' | 'deactivated' | 'revoked';

export interface AccountEntry {
  id: string;
  status: AccountStatus;
  /** The account's public key. */
  jwk: JWK;
  /** RFC 7638 thumbprint of jwk. */
  thumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  /** The EAB key id the account was bound with; '' without. */
  eabKeyId: string;
  /** RFC 3339 */
  createdAt: string;
}

export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

export interface ChallengeEntry {
  type: ChallengeType;
  token: string;
  status: ChallengeStatus;
  validated?: string;
  error?: { type: string; detail: string };
}

export type AuthzStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

export interface AuthzEntry {
  id: string;
  accountId: string;
  orderId: string;
  identifier: Identifier;
  wildcard: boolean;
  status: AuthzStatus;
  /** unix ms */
  expires: number;
  challenges: ChallengeEntry[];
}

export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

export interface OrderEntry {
  id: string;
  accountId: string;
  /** Only processing, valid and invalid are stored decisions; pending and ready follow from the authorizations. */
  status: OrderStatus;
  identifiers: Identifier[];
  authzIds: string[];
  /** unix ms */
  expires: number;
  /** The directory it was made in: its role and issuer decide finalize. */
  directory: { role: string; issuer: string };
  serial: string;
  /** PEM chain, leaf first, once valid. */
  chain: string;
  error?: { type: string; detail: string };
}

export interface EabEntry {
  id: string;
  /** base64url of the HMAC key */
  key: string;
  keyType: 'hs';
  /** The directory it was made for, e.g. `acme/` or `roles/web/acme/`. */
  directory: string;
  createdOn: string;
}

export interface AcmeCertEntry {
  accountId: string;
  orderId: string;
}

const account = (id: string) => `acme/accounts/${id}`;
const byKey = (thumbprint: string) => `acme/account-keys/${thumbprint}`;
const order = (acct: string, id: string) => `acme/account-data/${acct}/orders/${id}`;
const authz = (acct: string, id: string) => `acme/account-data/${acct}/authz/${id}`;
const eab = (id: string) => `acme/eab/${id}`;
const cert = (serial: string) => `acme/certs/${serial.toLowerCase().replace(/:/g, '-')}`;

export const acmeKeys = { account, byKey, order, authz, eab, cert, ordersOf: (acct: string) => `acme/account-data/${acct}/orders/`, eabs: 'acme/eab/' };

export const getAccount = (s: Storage, id: string) => getJson<AccountEntry>(s, account(id));
export async function accountByThumbprint(s: Storage, thumbprint: string): Promise<AccountEntry | null> {
  const ref = await getJson<{ id: string }>(s, byKey(thumbprint));
  return ref ? getAccount(s, ref.id) : null;
}
export const getOrder = (s: Storage, acct: string, id: string) => getJson<OrderEntry>(s, order(acct, id));
export const getAuthz = (s: Storage, acct: string, id: string) => getJson<AuthzEntry>(s, authz(acct, id));
export const getEab = (s: Storage, id: string) => getJson<EabEntry>(s, eab(id));
export const getAcmeCert = (s: Storage, serial: string) => getJson<AcmeCertEntry>(s, cert(serial));

export const accountOps = (a: AccountEntry): StorageOp[] => [jsonOp(account(a.id), a), jsonOp(byKey(a.thumbprint), { id: a.id })];
export const orderOp = (o: OrderEntry): StorageOp => jsonOp(order(o.accountId, o.id), o);
export const authzOp = (a: AuthzEntry): StorageOp => jsonOp(authz(a.accountId, a.id), a);
export const acmeCertOp = (serial: string, c: AcmeCertEntry): StorageOp => jsonOp(cert(serial), c);
