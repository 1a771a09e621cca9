/**
 * The one error table. Anything thrown that is not a CofferError is a bug: the http layer
 * logs it with the request id and answers 500 without detail.
 */
export type ErrorKind =
  | 'InvalidRequest'
  | 'PermissionDenied'
  | 'NotFound'
  | 'UnsupportedOperation'
  | 'PayloadTooLarge'
  | 'RateLimited'
  | 'Sealed'
  | 'Standby'
  | 'BadGateway'
  | 'Unavailable'
  | 'VaultCompat500'
  | 'Internal';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  InvalidRequest: 400,
  PermissionDenied: 403,
  NotFound: 404,
  UnsupportedOperation: 405,
  PayloadTooLarge: 413,
  RateLimited: 429,
  Sealed: 503,
  Standby: 503,
  /** A service Coffer depends on (the transit seal's server) failed or did not answer. */
  BadGateway: 502,
  /** Storage (a PostgreSQL server) cannot be reached right now; retrying later may work. */
  Unavailable: 503,
  /**
   * A refusal of the request that Vault answers with 500, its message shown, because its
   * handler returns a plain error there; clients expect that code (hvac raises
   * InternalServerError and matches the text). Not a fault of this server: nothing failed.
   * Only for the refusals a test pins to Vault's answer; any other bad input is a 400.
   */
  VaultCompat500: 500,
  Internal: 500,
};

export class CofferError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** Messages for the `errors` array; an empty list is Vault's answer for a missing path. */
  readonly messages: string[];

  constructor(kind: ErrorKind, messages: string | string[]) {
    const list = typeof messages === 'string' ? [messages] : messages;
    super(list.join('; ') || kind);
    this.kind = kind;
    this.status = STATUS_BY_KIND[kind];
    this.messages = list;
  }
}

export const invalidRequest = (message: string) => new CofferError('InvalidRequest', message);
export const permissionDenied = (message = 'permission denied') => new CofferError('PermissionDenied', message);
export const notFound = (message?: string) => new CofferError('NotFound', message === undefined ? [] : [message]);
export const unsupportedOperation = (message = 'unsupported operation') =>
  new CofferError('UnsupportedOperation', message);
export const sealedError = () => new CofferError('Sealed', 'Vault is sealed');
export const badGateway = (message: string) => new CofferError('BadGateway', message);
export const unavailable = (message: string) => new CofferError('Unavailable', message);
export const internalError = (message = 'internal error') => new CofferError('Internal', message);
/** Vault's 500 for a refused request (see VaultCompat500), with Vault's message. */
export const vaultCompat500 = (message: string) => new CofferError('VaultCompat500', message);

export const isCofferError = (e: unknown): e is CofferError => e instanceof CofferError;
