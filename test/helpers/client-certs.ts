/**
 * Client certificates for TLS login tests, made by the real openssl: CAs, intermediates,
 * leaves with chosen names, serials and keys, expired ones (`openssl ca` sets past dates)
 * and CRLs (`openssl ca -revoke` / `-gencrl`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pair {
  name: string;
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface LeafOptions {
  cn?: string;
  /** `subjectAltName` value, e.g. `DNS:a.example,email:x@y,URI:spiffe://t/x` */
  san?: string;
  ou?: string;
  /** hex, without 0x */
  serial?: string;
  /** Reuse this key file (another certificate for the same key). */
  keyFile?: string;
  /** More extension lines, e.g. `1.2.3.4=ASN1:UTF8String:abc` */
  extra?: string[];
  /** Makes a CA (an intermediate) rather than a leaf. */
  ca?: boolean;
  /** notBefore/notAfter as openssl ca dates (YYYYMMDDHHMMSSZ): only through `openssl ca`. */
  dates?: { start: string; end: string };
}

const run = (args: string[], cwd?: string) => execFileSync('openssl', args, { stdio: 'pipe', cwd }).toString();

export class CertFactory {
  readonly dir: string;
  private serial = 0x1000;

  constructor(dir = mkdtempSync(join(tmpdir(), 'coffer-client-certs-'))) {
    this.dir = dir;
  }

  private path(name: string) {
    return join(this.dir, name);
  }

  private pair(name: string): Pair {
    const certFile = this.path(`${name}.crt`);
    const keyFile = this.path(`${name}.key`);
    return { name, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
  }

  /** A self-signed root CA. */
  root(name: string, cn = `${name} Root`): Pair {
    run([
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', this.path(`${name}.key`),
      '-out', this.path(`${name}.crt`), '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return this.pair(name);
  }

  private extensions(name: string, o: LeafOptions): string {
    const lines = o.ca
      ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']
      : ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
    lines.push('subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid');
    if (o.san) lines.push(`subjectAltName=${o.san}`);
    lines.push(...(o.extra ?? []));
    const file = this.path(`${name}.ext`);
    writeFileSync(file, `[ext]\n${lines.join('\n')}\n`);
    return file;
  }

  private request(name: string, o: LeafOptions): string {
    const keyFile = this.path(`${name}.key`);
    if (o.keyFile) writeFileSync(keyFile, readFileSync(o.keyFile));
    else run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    const subject = `/CN=${o.cn ?? name}${o.ou ? `/OU=${o.ou}` : ''}`;
    const csr = this.path(`${name}.csr`);
    run(['req', '-new', '-key', keyFile, '-subj', subject, '-out', csr]);
    return csr;
  }

  /** A certificate issued by `issuer` (a leaf, or an intermediate with `ca`). */
  issue(name: string, issuer: Pair, o: LeafOptions = {}): Pair {
    const csr = this.request(name, o);
    const ext = this.extensions(name, o);
    if (o.dates) return this.throughCa(name, issuer, csr, ext, o.dates);
    const serial = o.serial ?? (this.serial++).toString(16);
    run(['x509', '-req', '-in', csr, '-CA', issuer.certFile, '-CAkey', issuer.keyFile, '-set_serial', `0x${serial}`,
      '-days', '1', '-sha256', '-extfile', ext, '-extensions', 'ext', '-out', this.path(`${name}.crt`)]);
    return this.pair(name);
  }

  /** `openssl ca`'s working folder for `issuer`: its database, for past dates and CRLs. */
  private caConfig(issuer: Pair): string {
    const home = this.path(`ca-${issuer.name}`);
    const config = join(home, 'openssl.cnf');
    try {
      readFileSync(config);
      return config;
    } catch {
      mkdirSync(join(home, 'new'), { recursive: true });
      writeFileSync(join(home, 'index.txt'), '');
      writeFileSync(join(home, 'serial'), '5000\n');
      writeFileSync(join(home, 'crlnumber'), '01\n');
      writeFileSync(config, [
        '[ca]', 'default_ca = this', '[this]', `dir = ${home}`, 'database = $dir/index.txt', 'serial = $dir/serial',
        'crlnumber = $dir/crlnumber', 'new_certs_dir = $dir/new', `certificate = ${issuer.certFile}`, `private_key = ${issuer.keyFile}`,
        'default_md = sha256', 'default_days = 1', 'default_crl_days = 1', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
        '[any]', 'commonName = supplied', 'organizationalUnitName = optional', '',
      ].join('\n'));
      return config;
    }
  }

  private throughCa(name: string, issuer: Pair, csr: string, ext: string, dates: { start: string; end: string }): Pair {
    run(['ca', '-batch', '-config', this.caConfig(issuer), '-in', csr, '-out', this.path(`${name}.crt`), '-notext',
      '-startdate', dates.start, '-enddate', dates.end, '-extfile', ext, '-extensions', 'ext']);
    return this.pair(name);
  }

  /** The PEM CRL of `issuer` listing `revoked`. */
  crl(issuer: Pair, revoked: Pair[]): string {
    const config = this.caConfig(issuer);
    for (const r of revoked) run(['ca', '-config', config, '-revoke', r.certFile]);
    const out = this.path(`crl-${issuer.name}.pem`);
    run(['ca', '-gencrl', '-config', config, '-out', out]);
    return readFileSync(out, 'utf8');
  }
}
