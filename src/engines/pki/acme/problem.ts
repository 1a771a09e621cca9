/**
 * ACME errors (RFC 8555 section 6.7) as RFC 7807 problem documents. Handlers throw
 * AcmeProblem; the protocol wrapper (respond.ts) turns it, or any Coffer error, into an
 * application/problem+json answer that still carries a fresh nonce.
 */
export type AcmeErrorType =
  | 'accountDoesNotExist'
  | 'alreadyRevoked'
  | 'badCSR'
  | 'badNonce'
  | 'badPublicKey'
  | 'badRevocationReason'
  | 'badSignatureAlgorithm'
  | 'externalAccountRequired'
  | 'malformed'
  | 'orderNotReady'
  | 'rejectedIdentifier'
  | 'serverInternal'
  | 'unauthorized'
  | 'unsupportedContact'
  | 'unsupportedIdentifier'
  | 'userActionRequired'
  | 'connection'
  | 'dns'
  | 'incorrectResponse'
  | 'tls';

/** The status RFC 8555 implies for each type; 400 unless said otherwise. */
const STATUS: Partial<Record<AcmeErrorType, number>> = {
  unauthorized: 403,
  orderNotReady: 403,
  accountDoesNotExist: 400,
  serverInternal: 500,
};

export class AcmeProblem extends Error {
  readonly status: number;
  constructor(
    readonly acmeType: AcmeErrorType,
    detail: string,
    status?: number,
    /** Extra headers, e.g. Location on a key-change conflict. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = status ?? STATUS[acmeType] ?? 400;
  }
}

export const problem = (type: AcmeErrorType, detail: string, status?: number) => new AcmeProblem(type, detail, status);

export interface ProblemDocument {
  type: string;
  detail: string;
  status: number;
}

export const problemDocument = (type: AcmeErrorType | string, detail: string, status: number): ProblemDocument => ({
  type: `urn:ietf:params:acme:error:${type}`,
  detail,
  status,
});
