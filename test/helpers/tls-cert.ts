/** Throwaway self-signed certificates for 127.0.0.1, made with the openssl command (a test prerequisite). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  /** Files, for server configurations and clients that take paths. */
  certFile: string;
  keyFile: string;
  /** The certificate's PEM, for clients that take it as text. */
  cert: string;
  key: string;
}

/** An ECDSA P-256 certificate for `cn`, valid for 127.0.0.1 and localhost, written into `dir` (a new temp folder by default). */
export function selfSignedCert(cn = '127.0.0.1', dir = mkdtempSync(join(tmpdir(), 'coffer-tls-'))): TestCertificate {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync('openssl', [
    'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'pipe' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
