/**
 * A tls-alpn-01 responder for tests (RFC 8737): a node:tls server presenting a self-signed
 * certificate built with @peculiar/x509, correct or wrong in the ways a test asks for.
 */
import { createHash, webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer, type Server } from 'node:tls';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/x509';

export interface AlpnCertificateOptions {
  /** subjectAltName entries; default the one DNS name. */
  names: x509.JsonGeneralName[];
  /** What the acmeIdentifier extension digests; undefined leaves the extension out. */
  digestOf?: string;
  /** Default true, as RFC 8737 requires. */
  critical?: boolean;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function alpnCertificate(opts: AlpnCertificateOptions): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [new x509.SubjectAlternativeNameExtension(opts.names)];
  if (opts.digestOf !== undefined) {
    const value = AsnConvert.serialize(new OctetString(createHash('sha256').update(opts.digestOf).digest()));
    extensions.push(new x509.Extension('1.3.6.1.5.5.7.1.31', opts.critical ?? true, value));
  }
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=ACME challenge',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions,
  });
  return { cert: cert.toString('pem'), key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

export interface TlsResponder {
  port: number;
  /** The SNI names of the handshakes it saw, newest last. */
  servernames: string[];
  close(): Promise<void>;
}

/** Serves `certificate` on 127.0.0.1:<free port>, agreeing to the ALPN protocols given (none: no ALPN at all). */
export async function startTlsResponder(certificate: { cert: string; key: string }, alpn: string[] = ['acme-tls/1']): Promise<TlsResponder> {
  const servernames: string[] = [];
  const context = createSecureContext(certificate);
  const server: Server = createServer(
    {
      ...certificate,
      ...(alpn.length ? { ALPNProtocols: alpn } : {}),
      // Recorded during the handshake: the client may be done before a connection callback runs.
      SNICallback: (servername, cb) => {
        servernames.push(servername);
        cb(null, context);
      },
    },
    (socket) => socket.end(),
  );
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    servernames,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
