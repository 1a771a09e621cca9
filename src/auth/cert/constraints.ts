/**
 * A role's constraints on the client's leaf certificate, as Vault applies them: each list,
 * when set, must be met by at least one of the certificate's names; globs have `*` only.
 * They apply to pinned non-CA certificates as much as to CA-issued ones (Vault's
 * CVE-2025-6037 was a pinned certificate escaping allowed_common_names).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { DirectoryString } from '@peculiar/asn1-x509';
import { globMatch } from '../../framework/glob.js';
import type { CertRole } from './storage.js';
import type { ParsedCert } from './x509.js';

const anyMatch = (patterns: string[], values: string[]) => patterns.some((p) => values.some((v) => globMatch(p, v)));
const allows = (patterns: string[], values: string[]) => patterns.length === 0 || anyMatch(patterns, values);

/** An extension's value as text: the string it holds when it is one, else its DER as hex. */
export function extensionText(der: Buffer): string {
  // UTF8String, PrintableString, IA5String, T61String, BMPString, UniversalString
  if ([0x0c, 0x13, 0x16, 0x14, 0x1e, 0x1c].includes(der[0] ?? 0)) {
    try {
      return AsnConvert.parse(der, DirectoryString).toString();
    } catch {
      // IA5String is not a DirectoryString choice: read its bytes
      if (der[0] === 0x16) return readPrimitive(der).toString('latin1');
    }
  }
  return der.toString('hex');
}

function readPrimitive(der: Buffer): Buffer {
  let len = der[1] ?? 0;
  let start = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] ?? 0);
    start = 2 + n;
  }
  return der.subarray(start, start + len);
}

/** `oid:value` entries: the certificate has each extension with a value matching the glob. */
function hasRequiredExtensions(required: string[], cert: ParsedCert): boolean {
  return required.every((entry) => {
    const i = entry.indexOf(':');
    if (i <= 0) return false;
    const value = cert.extensions.get(entry.slice(0, i));
    return value !== undefined && globMatch(entry.slice(i + 1), extensionText(value));
  });
}

export function meetsConstraints(role: CertRole, cert: ParsedCert): boolean {
  const names = [cert.commonName, ...cert.dnsSans, ...cert.emailSans].filter((n) => n !== '');
  return (
    allows(role.allowedNames, names) &&
    allows(role.allowedCommonNames, cert.commonName === '' ? [] : [cert.commonName]) &&
    allows(role.allowedDnsSans, cert.dnsSans) &&
    allows(role.allowedEmailSans, cert.emailSans) &&
    allows(role.allowedUriSans, cert.uriSans) &&
    allows(role.allowedOrganizationalUnits, cert.organizationalUnits) &&
    hasRequiredExtensions(role.requiredExtensions, cert)
  );
}

/** allowed_metadata_extensions: values of the listed extensions, keyed by OID with dashes (Vault's keys). */
export function extensionMetadata(role: CertRole, cert: ParsedCert): Record<string, string> {
  const out: Record<string, string> = {};
  for (const oid of role.allowedMetadataExtensions) {
    const value = cert.extensions.get(oid);
    if (value !== undefined) out[oid.replace(/\./g, '-')] = extensionText(value);
  }
  return out;
}
