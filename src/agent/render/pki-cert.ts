/**
 * pkiCert's memory: the certificate a previous run wrote into the template's destination
 * is read back and used while it has more than a tenth of its life left, so restarting
 * the agent does not issue a new certificate each time (consul-template does the same).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface PkiData {
  Cert: string;
  Key: string;
  CA: string;
  CAChain: string[];
}

const BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

export function certificateLifetime(pem: string): { notBefore: number; notAfter: number } | undefined {
  try {
    const c = new X509Certificate(pem);
    return { notBefore: Date.parse(c.validFrom), notAfter: Date.parse(c.validTo) };
  } catch {
    return undefined;
  }
}

/** The certificate, key and CA found in `file`, when its leaf certificate is still fresh. */
export async function reusableCertificate(file: string): Promise<PkiData | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const blocks = [...text.matchAll(BLOCK)];
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE').map((b) => b[0]);
  const key = blocks.find((b) => b[1]!.endsWith('PRIVATE KEY'))?.[0];
  let leaf: string | undefined;
  const cas: string[] = [];
  for (const pem of certs) {
    try {
      if (new X509Certificate(pem).ca) cas.push(pem);
      else leaf ??= pem;
    } catch {
      return undefined;
    }
  }
  if (!leaf || !key) return undefined;
  const life = certificateLifetime(leaf)!;
  if (Date.now() >= life.notBefore + (life.notAfter - life.notBefore) * 0.9) return undefined;
  return { Cert: leaf, Key: key, CA: cas[0] ?? '', CAChain: cas };
}
