/** The subject fields Vault's CA paths share (generate, sign-intermediate), and the name they make. */
import * as x509 from '@peculiar/x509';
import { isIP } from 'node:net';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { f } from '../../../framework/fields.js';

const list = () => f.commaList().default([]);

export const subjectFields = {
  common_name: z.string().optional().describe("The CA's common name"),
  organization: list(),
  ou: list(),
  country: list(),
  locality: list(),
  province: list(),
  street_address: list(),
  postal_code: list(),
  alt_names: list().describe('DNS names, comma-separated'),
  ip_sans: list().describe('IP addresses, comma-separated'),
  exclude_cn_from_sans: f.bool().default(false),
};
export type SubjectFields = z.infer<z.ZodObject<typeof subjectFields>>;

/** Go's order, which Vault's certificates show: C, O, OU, L, ST, street, postal code, CN. */
export function subjectNameOf(s: SubjectFields): x509.JsonName {
  const name: x509.JsonName = [];
  const add = (type: string, values: string[]) => {
    for (const v of values) name.push({ [type]: [v] });
  };
  add('C', s.country);
  add('O', s.organization);
  add('OU', s.ou);
  add('L', s.locality);
  add('ST', s.province);
  add('2.5.4.9', s.street_address);
  add('2.5.4.17', s.postal_code);
  if (s.common_name) add('CN', [s.common_name]);
  return name;
}

/** IP SANs must be addresses, and DNS SANs plain names: a 400 naming the first that is not. */
export function checkSans(s: SubjectFields): void {
  for (const ip of s.ip_sans) if (isIP(ip) === 0) throw invalidRequest(`ip_sans: "${ip}" is not a valid IP address`);
  for (const n of s.alt_names) if (/[\s,]/.test(n) || n.length > 253) throw invalidRequest(`alt_names: "${n}" is not a valid DNS name`);
}

/** The DNS and IP SANs a CSR asks for. */
export function csrSans(csr: x509.Pkcs10CertificateRequest): { dns: string[]; ip: string[] } {
  const ext = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const items = ext?.names.items ?? [];
  return { dns: items.filter((n) => n.type === 'dns').map((n) => n.value), ip: items.filter((n) => n.type === 'ip').map((n) => n.value) };
}
