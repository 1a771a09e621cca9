/**
 * The client certificates of a TLS connection, as the cert auth method reads them. Taken from
 * the TLS socket itself (the handshake proved the client holds the leaf's key), never from a
 * header a client or proxy could write. Read lazily and once per connection: most requests
 * never ask, and node builds a JS object per certificate on every getPeerCertificate call.
 */
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { ConnectionInfo } from '../logical/request.js';

const byConnection = new WeakMap<object, ConnectionInfo>();

/**
 * A resumed TLS session carries the client's leaf certificate but not the intermediates it
 * sent in the full handshake (OpenSSL keeps only the leaf), so a client whose certificate
 * comes from an intermediate would log in on its first connection and fail on the next.
 * Chains are remembered here from full handshakes, by leaf, and given back on resumption:
 * the session proves the client is the one that sent them, and intermediates are public.
 */
const chainsByLeaf = new Map<string, Buffer[]>();
const MAX_REMEMBERED = 1000;

/** For a listener that asks for client certificates: call on every secure connection. */
export function rememberChain(socket: TLSSocket): void {
  if (socket.isSessionReused()) return;
  const chain = walkChain(socket);
  if (chain.length < 2) return;
  const key = chain[0]!.toString('base64');
  chainsByLeaf.delete(key);
  if (chainsByLeaf.size >= MAX_REMEMBERED) chainsByLeaf.delete(chainsByLeaf.keys().next().value!);
  chainsByLeaf.set(key, chain.slice(1));
}

/** The leaf first, then whatever chain the client sent (or sent before this session was resumed), as DER. */
function chainOf(socket: TLSSocket): Buffer[] {
  const chain = walkChain(socket);
  if (chain.length === 1 && socket.isSessionReused()) chain.push(...(chainsByLeaf.get(chain[0]!.toString('base64')) ?? []));
  return chain;
}

function walkChain(socket: TLSSocket): Buffer[] {
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  if (!leaf || !leaf.raw) return [];
  const out: Buffer[] = [];
  const seen = new Set<string>();
  for (let cert: DetailedPeerCertificate | undefined = leaf; cert?.raw && out.length < 16; cert = cert.issuerCertificate) {
    const key = cert.raw.toString('base64');
    // A self-signed certificate is its own issuer: the walk stops there.
    if (seen.has(key)) break;
    seen.add(key);
    out.push(Buffer.from(cert.raw));
  }
  return out;
}

/** Connection facts for a request that came over `socket`; undefined on plain TCP. */
export function connectionInfo(socket: Socket): ConnectionInfo | undefined {
  if (!(socket as TLSSocket).encrypted || typeof (socket as TLSSocket).getPeerCertificate !== 'function') return undefined;
  let info = byConnection.get(socket);
  if (!info) {
    let chain: Buffer[] | undefined;
    info = { tls: true, peerCertificates: () => (chain ??= chainOf(socket as TLSSocket)) };
    byConnection.set(socket, info);
  }
  return info;
}
