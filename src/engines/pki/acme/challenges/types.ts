/**
 * The contract between the ACME protocol (orders, authorizations) and the validators that
 * prove control of an identifier. A validator resolves and connects by itself, so what it
 * checked is what it connected to; it throws ChallengeFailed with the ACME error type a
 * client is told (RFC 8555 section 6.7), never a bare Error.
 */
export type ChallengeType = 'http-01' | 'dns-01' | 'tls-alpn-01';

export interface Identifier {
  type: 'dns' | 'ip';
  value: string;
}

export interface ChallengeInput {
  type: ChallengeType;
  identifier: Identifier;
  token: string;
  /** token + '.' + base64url(SHA-256 JWK thumbprint of the account key), RFC 8555 section 8.1 */
  keyAuthorization: string;
  /** config/acme dns_resolver: "host:port" of the DNS server names are resolved with; '' = the system's */
  dnsResolver: string;
  /** The whole validation's budget, milliseconds. */
  timeoutMs: number;
  /**
   * CIDRs every address a validator connects to must fall in (config/acme allowed networks);
   * absent or empty = anywhere except the addresses that are never contacted (unspecified,
   * link-local, multicast).
   */
  allowedNetworks?: string[];
  /** Tests only: the port http-01 connects to instead of 80, so no test needs root. */
  httpPort?: number;
  /** Tests only: the port tls-alpn-01 (and an http-01 redirect to https) uses instead of 443. */
  tlsPort?: number;
}

/** RFC 8555's error types a failed validation reports (urn:ietf:params:acme:error:<type>). */
export type ChallengeErrorType = 'connection' | 'dns' | 'incorrectResponse' | 'unauthorized' | 'tls' | 'rejectedIdentifier';

export class ChallengeFailed extends Error {
  constructor(
    readonly acmeType: ChallengeErrorType,
    detail: string,
  ) {
    super(detail);
  }
}

