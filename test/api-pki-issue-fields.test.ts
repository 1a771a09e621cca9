/**
 * Every role and request field of issue/:role and sign/:role that changes a certificate,
 * checked the way a user would: `openssl x509 -text` and `openssl verify` on what came back.
 * Email, URI and otherName SANs; subject fields; usages by flag and OID; policies; wildcard,
 * glob and bare-domain rules; not_after; der and pem_bundle answers; signature hash and PSS.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bad, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki issue and sign: every field', () => {
  let x: PkiTest;
  let rootFile = '';
  let rootPem = '';
  before(async () => {
    x = await startPki();
    const root = await x.write('root/generate/internal', { common_name: 'Fields Root', ttl: '8760h', issuer_name: 'main' });
    rootPem = root.certificate;
    rootFile = x.file('root.pem', root.certificate);
  });
  after(() => x.t.close());

  const text = (name: string, pem: string) => {
    const leaf = x.file(name, pem);
    const v = openssl(['verify', '-CAfile', rootFile, leaf]);
    assert.equal(v.status, 0, v.out);
    return openssl(['x509', '-noout', '-text', '-in', leaf]).out;
  };

  it('puts email SANs in, an email common name too, under cn_validations', async () => {
    await x.write('roles/mail', { allowed_domains: 'example.com', allow_bare_domains: true, allow_subdomains: true, email_protection_flag: true, server_flag: false });
    const d = await x.write('issue/mail', { common_name: 'alice@example.com', alt_names: 'bob@mail.example.com,host.example.com', ttl: '1h' });
    const t = text('mail.pem', d.certificate);
    assert.match(t, /Subject: CN\s?=\s?alice@example\.com/);
    assert.match(t, /DNS:host\.example\.com, email:alice@example\.com, email:bob@mail\.example\.com/);
    assert.match(t, /E-mail Protection/);
    bad(await x.call('POST', 'pki/issue/mail', { common_name: 'eve@evil.com' }), /common name eve@evil\.com not allowed by this role/);
    bad(await x.call('POST', 'pki/issue/mail', { common_name: 'a.example.com', alt_names: 'x@example.org' }), /subject alternate name x@example\.org not allowed/);
    await x.write('roles/hostonly', { allowed_domains: 'example.com', allow_bare_domains: true, cn_validations: 'hostname' });
    bad(await x.call('POST', 'pki/issue/hostonly', { common_name: 'alice@example.com' }), /common name alice@example\.com is not a valid hostname, as the role's cn_validations require/);
    // disabled: any common name, unchecked against the role's domains; one that is no hostname is no SAN either.
    await x.write('roles/free', { allowed_domains: 'example.com', allow_subdomains: true, cn_validations: 'disabled' });
    const free = await x.write('issue/free', { common_name: 'Build Agent 7', alt_names: 'agent7.example.com', ttl: '1h' });
    const ft = text('free.pem', free.certificate);
    assert.match(ft, /Subject: CN\s?=\s?Build Agent 7/);
    assert.match(ft, /X509v3 Subject Alternative Name: \n\s+DNS:agent7\.example\.com\n/);
    bad(await x.call('POST', 'pki/issue/free', { common_name: 'Build Agent 7', alt_names: 'agent7.evil.com' }), /subject alternate name agent7\.evil\.com not allowed/);
  });

  it('puts URI and otherName SANs in when the role allows them, by glob, and names the one refused', async () => {
    await x.write('roles/svc', {
      allowed_domains: 'example.com',
      allow_subdomains: true,
      allowed_uri_sans: 'spiffe://example.com/ns/*',
      allowed_other_sans: '1.3.6.1.4.1.311.20.2.3;UTF8:*@example.com',
    });
    const d = await x.write('issue/svc', {
      common_name: 'svc.example.com',
      uri_sans: 'spiffe://example.com/ns/prod/sa/web',
      other_sans: '1.3.6.1.4.1.311.20.2.3;UTF8:devops@example.com',
      ttl: '1h',
    });
    const t = text('svc.pem', d.certificate);
    assert.match(t, /URI:spiffe:\/\/example\.com\/ns\/prod\/sa\/web/);
    // openssl names the Microsoft UPN OID and prints its UTF8String value.
    assert.match(t, /othername:\s?(UPN|msUPN|1\.3\.6\.1\.4\.1\.311\.20\.2\.3)[:;:]{1,2}\s?devops@example\.com/i);
    bad(await x.call('POST', 'pki/issue/svc', { common_name: 'svc.example.com', uri_sans: 'spiffe://other.org/x' }), /URI Subject Alternative Name spiffe:\/\/other\.org\/x not allowed/);
    bad(await x.call('POST', 'pki/issue/svc', { common_name: 'svc.example.com', other_sans: '1.3.6.1.4.1.311.20.2.3;UTF8:eve@evil.com' }), /other SAN eve@evil\.com not allowed for OID 1\.3\.6\.1\.4\.1\.311\.20\.2\.3/);
    bad(await x.call('POST', 'pki/issue/svc', { common_name: 'svc.example.com', other_sans: 'nonsense' }), /other_sans: "nonsense"/);
    await x.write('roles/nouri', { allowed_domains: 'example.com', allow_subdomains: true });
    bad(await x.call('POST', 'pki/issue/nouri', { common_name: 'a.example.com', uri_sans: 'https://a.example.com/' }), /URI Subject Alternative Names are not allowed in this role/);
  });

  it('fills the subject from the role and the request (serial_number, user_ids), and refuses ones the role does not allow', async () => {
    await x.write('roles/subj', {
      allowed_domains: 'example.com',
      allow_subdomains: true,
      organization: 'Acme',
      ou: 'Ops',
      country: 'DE',
      locality: 'Berlin',
      province: 'BE',
      street_address: 'Main St 1',
      postal_code: '10115',
      allowed_serial_numbers: 'SN-*',
      allowed_user_ids: 'u-*',
    });
    const d = await x.write('issue/subj', { common_name: 'p.example.com', serial_number: 'SN-42', user_ids: 'u-7', ttl: '1h' });
    const subject = openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], d.certificate).out;
    for (const part of ['C=DE', 'O=Acme', 'OU=Ops', 'L=Berlin', 'ST=BE', 'street=Main St 1', 'postalCode=10115', 'CN=p.example.com', 'serialNumber=SN-42', 'UID=u-7']) {
      assert.ok(subject.includes(part), `${part} in ${subject}`);
    }
    text('subj.pem', d.certificate);
    bad(await x.call('POST', 'pki/issue/subj', { common_name: 'p.example.com', serial_number: 'X-1' }), /serial_number X-1 not allowed/);
    bad(await x.call('POST', 'pki/issue/subj', { common_name: 'p.example.com', user_ids: 'root' }), /user_id root not allowed/);
    // With no allowed_user_ids, none may be asked for.
    await x.write('roles/plain', { allowed_domains: 'example.com', allow_subdomains: true });
    bad(await x.call('POST', 'pki/issue/plain', { common_name: 'p.example.com', user_ids: 'u-7' }), /user_id u-7 not allowed/);
  });

  it('sets usages from the flags and OIDs, policies, and basicConstraints when the role asks', async () => {
    await x.write('roles/code', {
      allow_any_name: true,
      server_flag: false,
      client_flag: false,
      code_signing_flag: true,
      ext_key_usage: 'TimeStamping',
      ext_key_usage_oids: '1.3.6.1.4.1.311.10.3.12',
      key_usage: 'DigitalSignature',
      policy_identifiers: '1.3.6.1.4.1.44947.1.1.1,2.23.140.1.2.1',
      basic_constraints_valid_for_non_ca: true,
    });
    const t = text('code.pem', (await x.write('issue/code', { common_name: 'signer.test', ttl: '1h' })).certificate);
    assert.match(t, /Code Signing, Time Stamping, 1\.3\.6\.1\.4\.1\.311\.10\.3\.12/);
    assert.doesNotMatch(t, /TLS Web/);
    assert.match(t, /Key Usage: critical\s+Digital Signature\n/);
    assert.match(t, /Policy: 1\.3\.6\.1\.4\.1\.44947\.1\.1\.1[\s\S]*Policy: 2\.23\.140\.1\.2\.1/);
    assert.match(t, /Basic Constraints: critical\s+CA:FALSE/);
  });

  it('follows the wildcard, glob and bare-domain rules as Vault does', async () => {
    await x.write('roles/wild', { allowed_domains: 'example.com', allow_subdomains: true, allow_bare_domains: true });
    assert.match(text('w1.pem', (await x.write('issue/wild', { common_name: '*.example.com', ttl: '1h' })).certificate), /DNS:\*\.example\.com/);
    assert.match(text('w2.pem', (await x.write('issue/wild', { common_name: 'example.com', ttl: '1h' })).certificate), /DNS:example\.com/);
    bad(await x.call('POST', 'pki/issue/wild', { common_name: 'a.*.example.com' }), /a\.\*\.example\.com has a wildcard outside its leftmost label/);
    await x.write('roles/loose', { allow_any_name: true, enforce_hostnames: false });
    bad(await x.call('POST', 'pki/issue/loose', { common_name: '**.example.com' }), /more than one/);
    text('w3.pem', (await x.write('issue/wild', { common_name: 'web*.example.com', ttl: '1h' })).certificate);
    await x.write('roles/nowild', { allowed_domains: 'example.com', allow_subdomains: true, allow_wildcard_certificates: false });
    bad(await x.call('POST', 'pki/issue/nowild', { common_name: '*.example.com' }), /common name \*\.example\.com is a wildcard, and the role does not allow wildcard certificates/);
    await x.write('roles/glob', { allowed_domains: 'app-*.example.com', allow_glob_domains: true });
    text('g.pem', (await x.write('issue/glob', { common_name: 'app-7.example.com', ttl: '1h' })).certificate);
    bad(await x.call('POST', 'pki/issue/glob', { common_name: 'db-7.example.com' }), /common name db-7\.example\.com not allowed by this role/);
    await x.write('roles/nolocal', { allowed_domains: 'example.com', allow_subdomains: true, allow_localhost: false });
    bad(await x.call('POST', 'pki/issue/nolocal', { common_name: 'a.example.com', alt_names: 'localhost' }), /subject alternate name localhost not allowed/);
  });

  it('sets notAfter from not_after (request or role), never with ttl too, and notBefore from not_before_duration', async () => {
    await x.write('roles/dates', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '24h' });
    const at = new Date(Date.now() + 30 * 86400e3);
    at.setUTCMilliseconds(0);
    const stamp = at.toISOString().replace('.000Z', 'Z');
    const d = await x.write('issue/dates', { common_name: 'd.example.com', not_after: stamp, not_before_duration: '1h' });
    assert.equal(d.expiration, at.getTime() / 1000);
    const cert = new Date(openssl(['x509', '-noout', '-enddate'], d.certificate).out.trim().replace('notAfter=', ''));
    assert.equal(cert.getTime(), at.getTime());
    const start = new Date(openssl(['x509', '-noout', '-startdate'], d.certificate).out.trim().replace('notBefore=', ''));
    assert.ok(Math.abs(Date.now() - 3600e3 - start.getTime()) < 60e3, start.toISOString());
    bad(await x.call('POST', 'pki/issue/dates', { common_name: 'd.example.com', not_after: stamp, ttl: '1h' }), /Either ttl or not_after should be provided/);
    bad(await x.call('POST', 'pki/issue/dates', { common_name: 'd.example.com', not_after: '2030-13-45' }), /not_after "2030-13-45"/);
    bad(await x.call('POST', 'pki/issue/dates', { common_name: 'd.example.com', not_after: '2001-01-01T00:00:00Z' }), /in the past/);
    await x.write('roles/fixed', { allowed_domains: 'example.com', allow_subdomains: true, not_after: stamp });
    assert.equal((await x.write('issue/fixed', { common_name: 'f.example.com' })).expiration, at.getTime() / 1000);
  });

  it('answers der as base64 DER, pem_bundle as key, certificate and chain, and drops roots from ca_chain when asked', async () => {
    await x.write('roles/fmt', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec' });
    const der = await x.write('issue/fmt', { common_name: 'der.example.com', format: 'der', ttl: '1h' });
    const certDer = x.file('c.der', Buffer.from(der.certificate, 'base64'));
    assert.match(openssl(['x509', '-inform', 'der', '-noout', '-subject', '-in', certDer]).out, /CN\s?=\s?der\.example\.com/);
    assert.equal(Buffer.from(der.issuing_ca, 'base64').toString('base64'), rootPem.replace(/-----[^-]+-----|\s/g, ''));
    assert.match(openssl(['ec', '-inform', 'der', '-noout', '-check', '-in', x.file('k.der', Buffer.from(der.private_key, 'base64'))]).out, /EC Key valid/);
    const bundle = await x.write('issue/fmt', { common_name: 'b.example.com', format: 'pem_bundle', ttl: '1h' });
    const blocks = bundle.certificate.match(/-----BEGIN [A-Z ]+-----/g);
    assert.deepEqual(blocks, ['-----BEGIN EC PRIVATE KEY-----', '-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----']);
    assert.ok(bundle.certificate.startsWith(bundle.private_key.trim()));
    assert.equal(openssl(['verify', '-CAfile', rootFile, x.file('b.pem', bundle.certificate.slice(bundle.certificate.indexOf('-----BEGIN CERTIFICATE')))]).status, 0);
    const noRoots = await x.write('issue/fmt', { common_name: 'n.example.com', remove_roots_from_chain: true, ttl: '1h' });
    assert.deepEqual(noRoots.ca_chain, []);
    assert.equal(noRoots.issuing_ca, rootPem);
  });

  it('signs with the hash of signature_bits, and with RSA-PSS under use_pss', async () => {
    await x.write('roles/pss', { allow_any_name: true, signature_bits: 384, use_pss: true });
    const pss = text('pss.pem', (await x.write('issue/pss', { common_name: 'pss.test', ttl: '1h' })).certificate);
    assert.match(pss, /Signature Algorithm: rsassaPss[\s\S]*Hash Algorithm: sha384/);
    await x.write('roles/sha512', { allow_any_name: true, key_type: 'ec', key_bits: 384, signature_bits: 512 });
    const ec = text('ec384.pem', (await x.write('issue/sha512', { common_name: 'ec.test', ttl: '1h' })).certificate);
    // The issuer is RSA: the leaf's key is P-384, the signature RSA with SHA-512.
    assert.match(ec, /Signature Algorithm: sha512WithRSAEncryption[\s\S]*NIST CURVE: P-384/);
    await x.write('roles/ed', { allow_any_name: true, key_type: 'ed25519' });
    const ed = await x.write('issue/ed', { common_name: 'ed.test', ttl: '1h' });
    assert.equal(ed.private_key_type, 'ed25519');
    assert.match(text('ed.pem', ed.certificate), /ED25519/);
  });

  it('takes email and URI SANs from a CSR under use_csr_sans, and the request ones without it', async () => {
    await x.write('roles/csr', { allowed_domains: 'example.com', allow_subdomains: true, allow_bare_domains: true, key_type: 'any', allowed_uri_sans: 'https://*' });
    const csrFile = x.file('m.csr', '');
    const made = openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=m.example.com', '-addext', 'subjectAltName=DNS:m.example.com,email:ops@example.com,URI:https://m.example.com/id', '-keyout', x.file('m.key', ''), '-out', csrFile]);
    assert.equal(made.status, 0, made.out);
    const csr = readFileSync(csrFile, 'utf8');
    // The CSR's names win over the request's, with Vault's warnings saying so.
    const res = await x.call('POST', 'pki/sign/csr', { csr, ttl: '1h', common_name: 'ignored.example.com', alt_names: 'ignored.example.com' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body!.warnings, [
      'the common_name field was provided but the role is set with "use_csr_common_name" set to true',
      'the alt_names field was provided but the role is set with "use_csr_sans" set to true',
    ]);
    const t = text('m.pem', res.body!.data!.certificate);
    assert.match(t, /Subject: CN\s?=\s?m\.example\.com/);
    assert.match(t, /DNS:m\.example\.com, email:ops@example\.com, URI:https:\/\/m\.example\.com\/id/);
    assert.doesNotMatch(t, /ignored/);
    await x.write('roles/csr2', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'any', use_csr_sans: false, use_csr_common_name: false });
    const t2 = text('m2.pem', (await x.write('sign/csr2', { csr, common_name: 'other.example.com', alt_names: 'z.example.com', ttl: '1h' })).certificate);
    assert.match(t2, /Subject: CN\s?=\s?other\.example\.com/);
    assert.match(t2, /DNS:other\.example\.com, DNS:z\.example\.com\n/);
  });

  it("names the issuer's subject key id as the leaf's authority key id", async () => {
    await x.write('roles/aki', { allow_any_name: true, key_type: 'ec' });
    const leaf = (await x.write('issue/aki', { common_name: 'aki.test', ttl: '1h' })).certificate;
    const aki = /Authority Key Identifier:\s*(?:keyid:)?([0-9A-F:]+)/.exec(openssl(['x509', '-noout', '-text'], leaf).out)?.[1];
    const ski = /Subject Key Identifier:\s*([0-9A-F:]+)/.exec(openssl(['x509', '-noout', '-text'], rootPem).out)?.[1];
    assert.ok(aki && ski);
    assert.equal(aki, ski);
  });
});
