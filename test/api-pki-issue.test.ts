/**
 * issue/:role and sign/:role over HTTP, every certificate checked by the real openssl: chain,
 * SANs, usages and validity; CSRs made by openssl, a tampered one refused; names and
 * lifetimes outside the role refused with a 400 that names them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bad, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki issue and sign over HTTP', () => {
  let x: PkiTest;
  let rootFile = '';
  let rootNotAfter = 0;
  before(async () => {
    x = await startPki();
    const root = await x.write('root/generate/internal', { common_name: 'Issue Root', ttl: '8760h', issuer_name: 'main' });
    rootFile = x.file('root.pem', root.certificate);
    rootNotAfter = root.expiration;
    await x.write('roles/web', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h', organization: 'Acme' });
    await x.write('roles/any', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'any', server_flag: false });
    await x.write('roles/nostore', { allow_any_name: true, no_store: true, key_type: 'ec' });
  });
  after(() => x.t.close());

  const newCsr = (curve: string, cn: string, extra: string[] = []) => {
    const out = x.file(`${cn}.csr`, '');
    const r = openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-nodes', '-subj', `/CN=${cn}`, ...extra, '-keyout', x.file(`${cn}.key`, ''), '-out', out]);
    assert.equal(r.status, 0, r.out);
    return readFileSync(out, 'utf8');
  };

  /** openssl's text form of a certificate, after checking it chains to the root. */
  const checked = (name: string, pem: string) => {
    const leaf = x.file(name, pem);
    const v = openssl(['verify', '-CAfile', rootFile, leaf]);
    assert.equal(v.status, 0, v.out);
    return openssl(['x509', '-noout', '-text', '-in', leaf]).out;
  };

  it('issues a key and a certificate with the SANs, usages and lifetime asked for', async () => {
    const d = await x.write('issue/web', { common_name: 'www.example.com', alt_names: 'api.example.com', ip_sans: '10.0.0.1', ttl: '2h' });
    const text = checked('www.pem', d.certificate);
    assert.match(text, /DNS:www\.example\.com, DNS:api\.example\.com, IP Address:10\.0\.0\.1/);
    assert.match(text, /Digital Signature, Key Encipherment, Key Agreement/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(text, /Subject: O\s?=\s?Acme, CN\s?=\s?www\.example\.com/);
    // Vault leaves basicConstraints out of leaves unless the role asks (basic_constraints_valid_for_non_ca).
    assert.doesNotMatch(text, /Basic Constraints/);
    assert.equal(Math.round((d.expiration * 1000 - Date.now()) / 60e3), 120);
    assert.equal(d.private_key_type, 'rsa');
    assert.match(d.private_key, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.equal(openssl(['pkey', '-pubout'], d.private_key).out, openssl(['x509', '-noout', '-pubkey'], d.certificate).out);
    const serial = openssl(['x509', '-noout', '-serial'], d.certificate).out.trim().replace(/^serial=/, '').toLowerCase();
    assert.equal(d.serial_number.replace(/:/g, ''), serial);
    assert.equal(d.issuing_ca, readFileSync(rootFile, 'utf8'));
    assert.deepEqual(d.ca_chain, [d.issuing_ca]);
    // Stored by serial, readable without a token, and listed.
    const stored = JSON.parse((await x.fetchRaw(`cert/${d.serial_number}`)).body.toString()).data;
    assert.equal(stored.certificate, d.certificate);
    assert.equal(stored.revocation_time, 0);
    assert.ok((await x.call('LIST', 'pki/certs')).body!.data!.keys.includes(d.serial_number));
  });

  it('puts IPv6 SANs and wildcard names in as asked', async () => {
    const d = await x.write('issue/web', { common_name: '*.apps.example.com', ip_sans: '2001:db8::1,::1', ttl: '1h' });
    const text = checked('v6.pem', d.certificate);
    assert.match(text, /DNS:\*\.apps\.example\.com, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:0:0:1/);
  });

  it("caps the lifetime at the role's max_ttl and answers pkcs8 keys when asked", async () => {
    const res = await x.call('POST', 'pki/issue/web', { common_name: 'long.example.com', ttl: '1000h', private_key_format: 'pkcs8' });
    assert.deepEqual(res.body!.warnings, ['TTL "1000h0m0s" is longer than permitted maxTTL "72h0m0s", so maxTTL is being used']);
    const d = res.body!.data!;
    assert.equal(Math.round((d.expiration * 1000 - Date.now()) / 3600e3), 72);
    assert.match(d.private_key, /^-----BEGIN PRIVATE KEY-----/);
    checked('long.pem', d.certificate);
  });

  it('signs an openssl CSR sent as JSON without a Content-Type, as the Go client does', async () => {
    const key = x.file('csr.key', '');
    const csrFile = x.file('req.csr', '');
    const made = openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=svc.example.com', '-addext', 'subjectAltName=DNS:svc.example.com,DNS:alt.example.com,IP:10.1.2.3', '-keyout', key, '-out', csrFile]);
    assert.equal(made.status, 0, made.out);
    const res = await fetch(`${x.t.address}/v1/pki/sign/any`, { method: 'PUT', headers: { 'X-Vault-Token': x.t.rootToken }, body: JSON.stringify({ csr: readFileSync(csrFile, 'utf8'), ttl: '1h' }) });
    const body = (await res.json()) as { data: Record<string, any> };
    assert.equal(res.status, 200, JSON.stringify(body));
    const d = body.data;
    assert.equal(d.private_key, undefined);
    const text = checked('svc.pem', d.certificate);
    assert.match(text, /DNS:svc\.example\.com, DNS:alt\.example\.com, IP Address:10\.1\.2\.3/);
    assert.match(text, /TLS Web Client Authentication/);
    assert.doesNotMatch(text, /TLS Web Server Authentication/);
    assert.equal(openssl(['pkey', '-pubout', '-in', key]).out, openssl(['x509', '-noout', '-pubkey'], d.certificate).out);
  });

  // cert-manager's exact sign call, logins and chain handling: api-pki-cert-manager.test.ts.

  it('signs an RSA CSR under an rsa role, and refuses one smaller than the role asks', async () => {
    const make = (bits: number, cn: string) => {
      const out = x.file(`${cn}.csr`, '');
      const r = openssl(['req', '-new', '-newkey', `rsa:${bits}`, '-nodes', '-subj', `/CN=${cn}`, '-keyout', x.file(`${cn}.key`, ''), '-out', out]);
      assert.equal(r.status, 0, r.out);
      return readFileSync(out, 'utf8');
    };
    const d = await x.write('sign/web', { csr: make(3072, 'rsa.example.com'), ttl: '1h' });
    assert.match(checked('rsa.pem', d.certificate), /Public-Key: \(3072 bit\)[\s\S]*DNS:rsa\.example\.com/);
    await x.write('roles/big', { allowed_domains: 'example.com', allow_subdomains: true, key_bits: 4096 });
    bad(await x.call('POST', 'pki/sign/big', { csr: make(2048, 'small.example.com') }), /at least 4096 bits, but the CSR has 2048/);
  });

  it('refuses a CSR whose signature was tampered with', async () => {
    const csrPem = newCsr('P-256', 't.example.com');
    // The last bytes are the signature's: the CSR still parses, its signature no longer matches.
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    der[der.length - 3] ^= 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    bad(await x.call('POST', 'pki/sign/any', { csr: tampered }), /signature does not verify/);
    bad(await x.call('POST', 'pki/sign/any', { csr: 'not a csr' }), /not a PEM certificate signing request/);
  });

  it('keeps no copy for a no_store role', async () => {
    const d = await x.write('issue/nostore', { common_name: 'anything.test' });
    assert.equal(d.private_key_type, 'ec');
    assert.match(d.private_key, /^-----BEGIN EC PRIVATE KEY-----/);
    checked('nostore.pem', d.certificate);
    assert.equal((await x.call('GET', `pki/cert/${d.serial_number}`)).status, 404);
  });

  it('answers 400 naming the name, role, issuer or lifetime that failed, never a 500', async () => {
    bad(await x.call('POST', 'pki/issue/nope', { common_name: 'a.example.com' }), /unknown role: nope/);
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'www.evil.com' }), /common name www\.evil\.com not allowed by this role/);
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'a.example.com', alt_names: 'ok.example.com,bad.example.org' }), /subject alternate name bad\.example\.org not allowed/);
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'example.com' }), /common name example\.com not allowed/);
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'bad_name.example.com' }), /not a valid hostname/);
    bad(await x.call('POST', 'pki/issue/web', {}), /common_name field is required/);
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'a.example.com', ip_sans: 'nope' }), /"nope" is not a valid IP/);
    await x.write('roles/noip', { allowed_domains: 'example.com', allow_subdomains: true, allow_ip_sans: false });
    bad(await x.call('POST', 'pki/issue/noip', { common_name: 'a.example.com', ip_sans: '10.0.0.9' }), /not allowed in this role, but was provided 10\.0\.0\.9/);
    bad(await x.call('POST', 'pki/issue/any', { common_name: 'a.example.com' }), /"any" not allowed for issuing/);
    await x.write('roles/lost', { allow_any_name: true, issuer_ref: 'missing' });
    bad(await x.call('POST', 'pki/issue/lost', { common_name: 'a.test' }), /unable to find issuer "missing"/);
    // The root ends in a year; the mount allows ten, the role no limit of its own.
    await x.write('roles/long', { allow_any_name: true });
    const msg = bad(await x.call('POST', 'pki/issue/long', { common_name: 'a.test', ttl: '9000h' }), /beyond the expiration of the CA certificate/);
    assert.ok(msg.includes(new Date(rootNotAfter * 1000).toISOString()));
    bad(await x.call('POST', 'pki/issue/web', { common_name: 'a.example.com', format: 'jks' }), /unsupported format "jks"/);
    bad(await x.call('POST', 'pki/sign/web', { csr: newCsr('P-384', 'a.example.com') }), /role requires keys of type rsa, but the CSR has a ec key/);
  });

  it('answers odd input with a 4xx, never a 500', async () => {
    const ed = x.file('ed.csr', '');
    assert.equal(openssl(['req', '-new', '-newkey', 'ed25519', '-nodes', '-subj', '/CN=ed.example.com', '-keyout', x.file('ed.key', ''), '-out', ed]).status, 0);
    const cases: [string, Record<string, unknown>][] = [
      ['issue/web', { common_name: 123 }],
      ['issue/web', { common_name: 'a.example.com', ttl: -5 }],
      ['issue/web', { common_name: 'a.example.com', alt_names: { a: 1 } }],
      ['issue/web', { common_name: 'a.example.com', ip_sans: '999.1.1.1' }],
      ['issue/web', { common_name: 'a.example.com', private_key_format: 'jks' }],
      ['issue/web', { common_name: `${'a'.repeat(70)}.example.com` }],
      ['sign/web', { csr: 123 }],
      ['sign/web', { csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n' }],
      ['sign/web', { csr: readFileSync(ed, 'utf8') }],
      ['sign/web', {}],
      ['roles/x', { key_bits: 'many' }],
      ['revoke', { serial_number: 5 }],
    ];
    for (const [path, body] of cases) {
      const res = await x.call('POST', `pki/${path}`, body);
      assert.ok(res.status >= 400 && res.status < 500, `${path} ${JSON.stringify(body).slice(0, 80)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // An ed25519 CSR is signed where the role takes any key type.
    const d = await x.write('sign/any', { csr: readFileSync(ed, 'utf8'), ttl: '1h' });
    assert.match(checked('ed.pem', d.certificate), /ED25519/);
  });
});
