/**
 * Which role a client certificate logs in with. The certificate comes from the TLS
 * connection (Request.connection), whose handshake proved the client holds its key. A role
 * trusts it when the certificate is one the role pins (the same certificate byte for byte:
 * serial, subject and public key all; Vault's CVE-2024-2048 matched less) or chains, through
 * the CA certificates the client sent, to a CA the role holds; every certificate on the way
 * is current, none is on a configured CRL, the role's constraints hold, and OCSP (when the
 * role asks) does not say revoked.
 */
import { invalidRequest } from '../../errors.js';
import type { BackgroundContext } from '../../framework/backend.js';
import type { Request } from '../../logical/request.js';
import { meetsConstraints } from './constraints.js';
import type { OcspChecker } from './ocsp.js';
import { ocspUrlsOf } from './ocsp.js';
import { allRoles, certsOf, getRole, type CertRole, type RevokedSerials } from './storage.js';
import { buildChain, chainProblem, isCurrent, parseDerCached, type ParsedCert } from './x509.js';

const REFUSED = 'invalid certificate or no client certificate supplied';

interface Match {
  role: CertRole;
  leaf: ParsedCert;
  chain: ParsedCert[];
}

/** The client's leaf and the other certificates it sent, or a 400 saying what is missing. */
function presentedCertificates(req: Request | undefined): { leaf: ParsedCert; others: ParsedCert[] } {
  const connection = req?.connection;
  if (!connection?.tls) throw invalidRequest('tls connection required');
  const ders = connection.peerCertificates();
  if (ders.length === 0) throw invalidRequest('client certificate must be supplied');
  let leaf: ParsedCert;
  try {
    leaf = parseDerCached(ders[0]!);
  } catch {
    throw invalidRequest(REFUSED);
  }
  const others: ParsedCert[] = [];
  for (const der of ders.slice(1)) {
    try {
      others.push(parseDerCached(der));
    } catch {
      // A certificate we cannot read cannot link a chain either.
    }
  }
  return { leaf, others };
}

/** The chain by which `role` trusts `leaf`, or null. */
function trustedChain(role: CertRole, leaf: ParsedCert, others: ParsedCert[], now: number): ParsedCert[] | null {
  let certs: ParsedCert[];
  try {
    certs = certsOf(role.certificate);
  } catch {
    return null;
  }
  const pinned = certs.filter((c) => !c.isCA);
  if (pinned.some((p) => p.der.equals(leaf.der))) return isCurrent(leaf, now) && chainProblem([leaf]) === null ? [leaf] : null;
  const cas = certs.filter((c) => c.isCA);
  return cas.length > 0 ? buildChain(leaf, others, cas, now) : null;
}

async function ocspAllows(ctx: BackgroundContext, ocsp: OcspChecker, role: CertRole, chain: ParsedCert[], now: number): Promise<boolean> {
  const [leaf, issuer] = chain;
  if (!issuer) return true; // a pinned certificate has no issuer here to ask about
  const trusted = role.ocspCaCertificates ? certsOf(role.ocspCaCertificates, 'ocsp_ca_certificates') : [];
  const servers = role.ocspServersOverride.length > 0 ? role.ocspServersOverride : ocspUrlsOf(leaf!);
  const status = await ocsp
    .status({ leaf: leaf!, issuer, servers, trusted, queryAll: role.ocspQueryAllServers, now })
    .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  if (status === 'revoked') return false;
  if (status === 'good') return true;
  ctx.logger.warn('OCSP check of a client certificate gave no answer', { role: role.name, reason: status instanceof Error ? status.message : status });
  return role.ocspFailOpen;
}

/** The first role (by name, or only `roleName`) that trusts the presented certificate; 400 when none does. */
export async function matchCertificate(ctx: BackgroundContext, req: Request | undefined, ocsp: OcspChecker, revokedSerials: RevokedSerials, roleName?: string): Promise<Match> {
  const { leaf, others } = presentedCertificates(req);
  const now = ctx.clock();
  let roles: CertRole[];
  if (roleName) {
    const role = await getRole(ctx.storage, roleName);
    roles = role ? [role] : [];
  } else roles = await allRoles(ctx.storage);
  const revoked = await revokedSerials.get(ctx.storage);
  for (const role of roles) {
    const chain = trustedChain(role, leaf, others, now);
    if (!chain || !meetsConstraints(role, leaf)) continue;
    if (chain.some((c) => revoked.has(c.serialDecimal))) continue;
    if (role.ocspEnabled && !(await ocspAllows(ctx, ocsp, role, chain, now))) continue;
    return { role, leaf, chain };
  }
  throw invalidRequest(REFUSED);
}

