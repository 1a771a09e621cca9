/**
 * Each issuer's ca_chain, built from the certificates the mount holds: itself, then the
 * issuer whose subject is its issuer name and whose key verifies its signature, up to a
 * self-signed root or a parent the mount does not hold. Rebuilt for every issuer on each
 * import, so an intermediate imported before its root gets the root once it arrives.
 * An issuer with a manual_chain keeps the one it was given.
 */
import * as x509 from '@peculiar/x509';
import type { IssuerEntry } from './storage.js';

const MAX_DEPTH = 16;

interface Node {
  pem: string;
  cert: x509.X509Certificate;
}

async function parentOf(child: Node, pool: Node[]): Promise<Node | undefined> {
  for (const p of pool) {
    if (p.cert.subject !== child.cert.issuer || p.pem === child.pem) continue;
    try {
      if (await child.cert.verify({ publicKey: p.cert.publicKey, signatureOnly: true })) return p;
    } catch {
      // a key of another type: not this parent
    }
  }
  return undefined;
}

export async function chainOf(pem: string, pool: Node[]): Promise<string[]> {
  const chain: Node[] = [{ pem, cert: new x509.X509Certificate(pem) }];
  while (chain.length < MAX_DEPTH) {
    const last = chain[chain.length - 1]!;
    if (last.cert.subject === last.cert.issuer) break;
    const parent = await parentOf(last, pool);
    if (!parent || chain.some((c) => c.pem === parent.pem)) break;
    chain.push(parent);
  }
  return chain.map((c) => c.pem);
}

export const nodesOf = (issuers: IssuerEntry[]): Node[] => issuers.map((i) => ({ pem: i.certificate, cert: new x509.X509Certificate(i.certificate) }));

/** The issuers among `issuers` whose built chain differs from what they hold, with the new one. */
export async function rebuiltChains(issuers: IssuerEntry[]): Promise<IssuerEntry[]> {
  const pool = nodesOf(issuers);
  const changed: IssuerEntry[] = [];
  for (const i of issuers) {
    if (i.manualChain?.length) continue;
    const caChain = await chainOf(i.certificate, pool);
    if (caChain.join('') !== i.caChain.join('')) changed.push({ ...i, caChain });
  }
  return changed;
}
