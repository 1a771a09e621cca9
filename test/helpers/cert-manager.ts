/**
 * cert-manager's Vault issuer, replayed byte for byte where it matters (read from
 * cert-manager's internal/vault/vault.go and pkg/util/pki/parse_certificate_chain.go):
 * hashicorp/vault/api requests (POST, a JSON body of strings with sorted keys and a trailing
 * newline, no Content-Type, X-Vault-Request: true), the token, AppRole or Kubernetes login
 * before, and the chain it builds from the answer: leaf first, self-signed roots left out
 * of tls.crt, the top of the chain as ca.crt.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import * as x509 from '@peculiar/x509';

export interface GoAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, any>;
}

/** One request as the Go client sends it; `path` as cert-manager builds it with path.Join("/v1", ...). */
export function goRequest(address: string, method: string, path: string, token: string | undefined, body?: Record<string, string>): Promise<GoAnswer> {
  // encoding/json on a map: keys sorted; json.Encoder ends with a newline.
  const payload = body === undefined ? undefined : JSON.stringify(Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1)))) + '\n';
  const url = new URL(path, address);
  const headers: Record<string, string> = { 'User-Agent': 'Go-http-client/1.1', 'X-Vault-Request': 'true', 'Accept-Encoding': 'gzip' };
  if (token) headers['X-Vault-Token'] = token;
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** vault/api's RawRequest turns any status >= 400 into an error carrying the `errors` list. */
function checked(res: GoAnswer, what: string): GoAnswer {
  if (res.status >= 400) throw new Error(`${what}: Code: ${res.status}. Errors:\n\n* ${(res.body.errors ?? []).join('\n* ')}`);
  return res;
}

export type VaultAuth = { token: string } | { appRole: { path?: string; roleId: string; secretId: string } } | { kubernetes: { path?: string; role: string; jwt: string } };

/** setToken: a token as given, or the token of an AppRole or Kubernetes login. */
export async function certManagerToken(address: string, auth: VaultAuth): Promise<string> {
  if ('token' in auth) return auth.token.trim();
  if ('appRole' in auth) {
    const res = checked(await goRequest(address, 'POST', `/v1/auth/${auth.appRole.path ?? 'approle'}/login`, undefined, { role_id: auth.appRole.roleId, secret_id: auth.appRole.secretId }), 'error logging in to Vault server');
    return res.body.auth.client_token;
  }
  const res = checked(await goRequest(address, 'POST', `${auth.kubernetes.path ?? '/v1/auth/kubernetes'}/login`, undefined, { role: auth.kubernetes.role, jwt: auth.kubernetes.jwt }), 'error calling Vault server');
  return res.body.auth.client_token;
}

/** Vault.Sign: the parameters cert-manager derives from the CSR; `vaultPath` is the issuer's spec.vault.path. */
export async function certManagerSign(address: string, token: string, vaultPath: string, csrPem: string, durationGo: string): Promise<{ chainPem: string; caPem: string }> {
  const csr = parseCsrNames(csrPem);
  const params = {
    common_name: csr.commonName,
    alt_names: csr.dnsNames.join(','),
    ip_sans: csr.ips.join(','),
    uri_sans: csr.uris.join(','),
    ttl: durationGo,
    csr: csrPem,
    exclude_cn_from_sans: 'true',
  };
  const res = checked(await goRequest(address, 'POST', `/v1/${vaultPath}`, token, params), 'failed to sign certificate by vault');
  const d = res.body.data ?? {};
  // certutil.ParsePKIMap: the certificate must parse; issuing_ca and ca_chain when present.
  const pems: string[] = [...((d.ca_chain as string[] | undefined) ?? []), ...(d.issuing_ca ? [d.issuing_ca as string] : []), d.certificate as string];
  return singleChain(pems.join('\n'));
}

/** The names cert-manager reads from the CSR (Go's x509.ParseCertificateRequest). */
function parseCsrNames(csrPem: string): { commonName: string; dnsNames: string[]; ips: string[]; uris: string[] } {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const items = san ? san.names.items : [];
  const of = (type: string) => items.filter((i) => i.type === type).map((i) => i.value);
  return { commonName: csr.subjectName.getField('CN')[0] ?? '', dnsNames: of('dns'), ips: of('ip'), uris: of('url') };
}

const issuedBy = (c: X509Certificate, issuer: X509Certificate) => c.checkIssued(issuer) && c.verify(issuer.publicKey);
const selfSigned = (c: X509Certificate) => issuedBy(c, c);

/** ParseSingleCertificateChain: dedupe, link each certificate to its issuer, leaf first; a self-signed top stays out of the chain and is the CA. */
export function singleChain(bundle: string): { chainPem: string; caPem: string } {
  const unique = new Map<string, X509Certificate>();
  for (const b of bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    const c = new X509Certificate(b);
    unique.set(c.raw.toString('hex'), c);
  }
  const certs = [...unique.values()];
  const leaf = certs.find((c) => !certs.some((o) => o !== c && issuedBy(o, c)));
  if (!leaf) throw new Error('certificate chain is malformed or broken');
  const nodes = [leaf];
  for (let up = certs.find((i) => i !== leaf && issuedBy(leaf, i)); up; ) {
    nodes.push(up);
    const from: X509Certificate = up;
    up = certs.find((i) => i !== from && !nodes.includes(i) && issuedBy(from, i));
  }
  if (nodes.length !== certs.length) throw new Error('certificate chain is malformed or broken');
  const top = nodes[nodes.length - 1]!;
  const chain = nodes.length > 1 && selfSigned(top) ? nodes.slice(0, -1) : nodes;
  const pem = (c: X509Certificate) => c.toString().trim() + '\n';
  return { chainPem: chain.map(pem).join(''), caPem: pem(top) };
}
