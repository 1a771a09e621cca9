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

/** The leaf first, then whatever chain the client sent, as DER. */
function chainOf(socket: TLSSocket): Buffer[] {
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
