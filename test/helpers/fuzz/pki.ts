/**
 * The PKI engine in the fuzz: its endpoints (mounted at fuzz-pki/ with an EC root `r1` and a
 * role `web` made beforehand), and values for its fields that are often nearly right (a real
 * CSR and certificate, truncated or re-wrapped PEM, names in and out of the role), so requests
 * reach CSR parsing, name checks and signing. ACME's JWS endpoints get JSON that is not JOSE.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAFE, VISIBLE } from './alphabets.js';
import type { J } from './json-text.js';
import type { Prng } from './prng.js';

export const PKI_MOUNT = 'fuzz-pki';

/** A real P-256 CSR and its self-signed certificate, made once with openssl. */
const material = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-fuzz-pki-'));
  try {
    const key = join(dir, 'k.pem');
    const args = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=a.fuzz.test', '-addext', 'subjectAltName=DNS:a.fuzz.test'];
    spawnSync('openssl', ['req', '-new', ...args, '-out', join(dir, 'c.csr')]);
    spawnSync('openssl', ['req', '-x509', '-days', '2', '-key', key, '-subj', '/CN=self.fuzz.test', '-out', join(dir, 'c.pem'), '-new']);
    return { csr: readFileSync(join(dir, 'c.csr'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

const ref = (r: Prng) => r.pick(['r1', 'default', 'missing', '00000000-0000-0000-0000-000000000000', r.string(r.range(1, 8), SAFE), '..', '']);
const role = (r: Prng) => r.pick(['web', 'missing', r.string(r.range(1, 8), SAFE), '']);
const serial = (r: Prng) => r.pick(['01:02', '7f:' + r.bytes(19).toString('hex').match(/../g)!.join(':'), r.bytes(20).toString('hex'), 'zz', '', '0'.repeat(200)]);

const ISSUE = ['common_name', 'alt_names', 'ip_sans', 'uri_sans', 'other_sans', 'ttl', 'not_after', 'format', 'private_key_format', 'exclude_cn_from_sans', 'remove_roots_from_chain', 'user_ids', 'serial_number'];
const ROLE = ['allowed_domains', 'allow_subdomains', 'allow_glob_domains', 'allow_any_name', 'allow_ip_sans', 'allowed_uri_sans', 'allowed_other_sans', 'key_type', 'key_bits', 'signature_bits', 'key_usage', 'ext_key_usage', 'ext_key_usage_oids', 'ttl', 'max_ttl', 'not_after', 'no_store', 'generate_lease', 'policy_identifiers', 'cn_validations', 'issuer_ref', 'allowed_domains_template'];
const ROOT = ['common_name', 'ttl', 'key_type', 'key_bits', 'issuer_name', 'key_name', 'key_ref', 'private_key_format', 'organization', 'alt_names', 'max_path_length', 'permitted_dns_domains'];

export const PKI_ENDPOINTS: { path: (r: Prng) => string; methods: string[]; fields: string[] }[] = [
  { path: (r) => `${PKI_MOUNT}/${r.pick(['issue', 'sign', 'sign-verbatim'])}/${role(r)}`, methods: ['POST', 'PUT'], fields: [...ISSUE, 'csr', 'key_usage', 'ext_key_usage'] },
  { path: (r) => `${PKI_MOUNT}/issuer/${ref(r)}/${r.pick(['issue', 'sign', 'sign-verbatim'])}/${role(r)}`, methods: ['POST'], fields: [...ISSUE, 'csr'] },
  { path: (r) => `${PKI_MOUNT}/roles/${role(r)}`, methods: ['POST', 'PATCH', 'GET', 'DELETE'], fields: ROLE },
  { path: (r) => `${PKI_MOUNT}/${r.pick(['root/generate', 'root/rotate', 'intermediate/generate'])}/${r.pick(['internal', 'exported', 'existing', 'kms', ''])}`, methods: ['POST'], fields: ROOT },
  { path: (r) => `${PKI_MOUNT}/${r.pick(['root/sign-intermediate', 'root/sign-self-issued', 'intermediate/set-signed', 'issuers/import/bundle', 'issuers/import/cert', 'config/ca', 'keys/import', 'root/replace'])}`, methods: ['POST'], fields: ['csr', 'certificate', 'pem_bundle', 'key', 'common_name', 'ttl', 'use_csr_values', 'default', 'key_name', 'issuer_ref'] },
  { path: (r) => `${PKI_MOUNT}/issuer/${ref(r)}${r.pick(['', '/pem', '/der', '/json', '/crl', '/crl/delta/pem'])}`, methods: ['GET', 'POST', 'PATCH', 'DELETE'], fields: ['issuer_name', 'leaf_not_after_behavior', 'usage', 'revocation_signature_algorithm', 'manual_chain', 'issuing_certificates', 'ocsp_servers'] },
  { path: (r) => `${PKI_MOUNT}/key/${ref(r)}`, methods: ['GET', 'POST', 'DELETE'], fields: ['key_name'] },
  { path: (r) => `${PKI_MOUNT}/${r.pick(['revoke', 'revoke-with-key'])}`, methods: ['POST'], fields: ['serial_number', 'certificate', 'private_key'] },
  { path: (r) => `${PKI_MOUNT}/cert/${serial(r)}`, methods: ['GET'], fields: [] },
  { path: (r) => `${PKI_MOUNT}/${r.pick(['config/crl', 'config/urls', 'config/cluster', 'config/issuers', 'config/auto-tidy', 'config/acme'])}`, methods: ['GET', 'POST'], fields: ['expiry', 'disable', 'auto_rebuild', 'enable_delta', 'ocsp_expiry', 'issuing_certificates', 'crl_distribution_points', 'ocsp_servers', 'enable_templating', 'path', 'aia_path', 'default', 'enabled', 'interval_duration', 'safety_buffer', 'allowed_roles', 'default_directory_policy', 'dns_resolver', 'eab_policy', 'allowed_challenge_networks'] },
  { path: (r) => `${PKI_MOUNT}/${r.pick(['tidy', 'tidy-status', 'tidy-cancel', 'crl/rotate', 'crl/rotate-delta', 'crl', 'crl/pem', 'crl/delta', 'ca', 'ca_chain', 'certs', 'certs/revoked', 'issuers', 'keys'])}`, methods: ['GET', 'POST', 'LIST'], fields: ['tidy_cert_store', 'tidy_revoked_certs', 'safety_buffer', 'pause_duration'] },
  { path: (r) => `${PKI_MOUNT}/ocsp${r.chance(0.5) ? '/' + r.bytes(r.range(0, 120)).toString(r.pick(['base64', 'base64url', 'hex'])) : ''}`, methods: ['GET', 'POST'], fields: [] },
  { path: (r) => `${PKI_MOUNT}/${r.pick(['', 'roles/web/', 'issuer/r1/'])}acme/${r.pick(['directory', 'new-nonce', 'new-account', 'new-order', 'revoke-cert', 'key-change', 'account/x', 'order/x', 'order/x/finalize', 'authorization/x', 'challenge/x/http-01', 'new-eab', 'eab'])}`, methods: ['GET', 'POST', 'HEAD', 'LIST'], fields: ['protected', 'payload', 'signature'] },
];

function pem(label: string, body: string): string {
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function pemish(r: Prng, real: string, label: string): string {
  return r.pick([
    () => real,
    () => real.slice(0, r.range(0, real.length)),
    () => real.replace(/[A-Za-z]/, 'Z'),
    () => pem(label, r.bytes(r.range(0, 300)).toString('base64')),
    () => pem(r.pick(['CERTIFICATE', 'CERTIFICATE REQUEST', 'PRIVATE KEY', 'X509 CRL']), r.bytes(64).toString('base64')),
    () => real + real,
    () => r.string(r.range(0, 40), VISIBLE),
  ])();
}

/** A value for a PKI field, or undefined when the field is not one of the PKI engine's. */
export function pkiFieldValue(r: Prng, name: string): J | undefined {
  switch (name) {
    case 'csr':
      return pemish(r, material.csr, 'CERTIFICATE REQUEST');
    case 'certificate':
    case 'pem_bundle':
    case 'manual_chain':
      return pemish(r, r.chance(0.3) ? material.cert + material.key : material.cert, 'CERTIFICATE');
    case 'private_key':
    case 'key':
      return pemish(r, material.key, 'PRIVATE KEY');
    case 'common_name':
      return r.pick(['a.fuzz.test', 'x.example.com', '*.fuzz.test', 'user@fuzz.test', 'localhost', '', '..', 'a'.repeat(300), '\u00e9.fuzz.test']);
    case 'alt_names':
    case 'allowed_domains':
    case 'permitted_dns_domains':
      return r.pick<J>(['fuzz.test', 'b.fuzz.test,*.fuzz.test', ['a', 'b'], '*', '', ',,', 'a..b', 'x'.repeat(2000)]);
    case 'ip_sans':
      return r.pick<J>(['127.0.0.1', '::1', '999.1.1.1', '10.0.0.0/8', '', ['1.2.3.4']]);
    case 'uri_sans':
    case 'allowed_uri_sans':
      return r.pick(['spiffe://fuzz/x', 'not a uri', '', 'http://[::1', '*']);
    case 'other_sans':
    case 'allowed_other_sans':
      return r.pick(['1.3.6.1.4.1.311.20.2.3;UTF8:a@b', '1.2;UTF8:', 'x;y', ';', '*']);
    case 'key_type':
      return r.pick(['rsa', 'ec', 'ed25519', 'any', 'dsa', '', 'EC']);
    case 'key_bits':
    case 'signature_bits':
    case 'max_path_length':
      return r.pick<J>([0, 256, 384, 521, 2048, 4096, 1024, 1, -1, 99999, 'x', null]);
    case 'issuer_ref':
    case 'key_ref':
    case 'default':
      return ref(r);
    case 'serial_number':
      return serial(r);
    case 'key_usage':
    case 'ext_key_usage':
    case 'usage':
      return r.pick<J>(['DigitalSignature', 'ServerAuth,ClientAuth', 'nope', '', ['KeyEncipherment'], 'issuing-certificates,read-only']);
    case 'ext_key_usage_oids':
    case 'policy_identifiers':
      return r.pick<J>(['1.2.3', 'x.y', '', ['1.3.6.1.5.5.7.3.1'], '1..2']);
    case 'not_after':
      return r.pick(['2030-01-01T00:00:00Z', '1999-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'tomorrow', '']);
    case 'leaf_not_after_behavior':
      return r.pick(['err', 'truncate', 'permit', 'x', '']);
    case 'issuing_certificates':
    case 'crl_distribution_points':
    case 'ocsp_servers':
      return r.pick<J>(['http://ca.fuzz.test/ca', ['{{cluster_path}}/ocsp'], 'not a url', '', ['ftp://x']]);
    case 'default_directory_policy':
      return r.pick(['sign-verbatim', 'forbid', 'role:web', 'role:', 'external-policy', 'x']);
    case 'dns_resolver':
      return r.pick(['127.0.0.1:53', 'x', '', '[::1]:5353', '1.2.3.4:99999']);
    case 'allowed_challenge_networks':
      return r.pick<J>(['127.0.0.0/8', '10.0.0.0/33', 'x', '', ['::1/128']]);
    case 'protected':
    case 'payload':
    case 'signature':
      return r.bytes(r.range(0, 80)).toString('base64url');
    default:
      return undefined;
  }
}
