/**
 * generate_lease roles: issue and sign answer with a lease that lasts as long as the
 * certificate; revoking the lease revokes the certificate and puts it on the CRL (read with
 * openssl). And allowed_domains_template: a role that lets each caller have only the names
 * of its own entity, filled from identity at issue time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { enable, login } from './auth/helpers.js';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki leases and identity templates', () => {
  let x: PkiTest;
  before(async () => {
    x = await startPki();
    await x.write('root/generate/internal', { common_name: 'Lease Root', ttl: '8760h' });
    await x.write('roles/leased', { allowed_domains: 'example.com', allow_subdomains: true, generate_lease: true, key_type: 'ec', max_ttl: '4h' });
  });
  after(() => x.t.close());

  const crlSerials = async () => {
    const crl = (await x.fetchRaw('crl/pem')).body.toString();
    return openssl(['crl', '-noout', '-text'], crl).out.toLowerCase();
  };

  it('answers issue with a lease as long as the certificate, not renewable; revoking the lease revokes the certificate', async () => {
    const res = ok(await x.call('POST', 'pki/issue/leased', { common_name: 'l.example.com', ttl: '2h' }));
    const body = res.body as Record<string, any>;
    assert.match(body.lease_id, /^pki\/issue\/leased\//);
    assert.equal(body.renewable, false);
    assert.ok(Math.abs(body.lease_duration - 7200) <= 2, String(body.lease_duration));
    assert.ok(Math.abs(body.data.expiration - Date.now() / 1000 - body.lease_duration) <= 2);
    const serial = body.data.serial_number as string;
    assert.equal((await x.read(`cert/${serial}`)).revocation_time, 0);
    assert.ok(!(await crlSerials()).includes(serial.replace(/:/g, '')));

    const lookup = ok(await x.call('PUT', 'sys/leases/lookup', { lease_id: body.lease_id })).body!.data!;
    assert.equal(lookup.renewable, false);
    bad(await x.call('PUT', 'sys/leases/renew', { lease_id: body.lease_id }), /not renewable|cannot be renewed/i);

    ok(await x.call('PUT', 'sys/leases/revoke', { lease_id: body.lease_id }));
    assert.ok((await x.read(`cert/${serial}`)).revocation_time > 0);
    assert.ok((await crlSerials()).includes(serial.replace(/:/g, '')), 'the revoked serial is on the CRL');
    assert.ok(((await x.call('LIST', 'pki/certs/revoked')).body!.data!.keys as string[]).includes(serial));
  });

  it('answers sign with a lease too, revoked with its prefix', async () => {
    const key = x.file('s.key', '');
    const csr = x.file('s.csr', '');
    assert.equal(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=s.example.com', '-keyout', key, '-out', csr]).status, 0);
    const { readFileSync } = await import('node:fs');
    const res = ok(await x.call('POST', 'pki/sign/leased', { csr: readFileSync(csr, 'utf8'), ttl: '1h' }));
    const body = res.body as Record<string, any>;
    assert.match(body.lease_id, /^pki\/sign\/leased\//);
    ok(await x.call('PUT', 'sys/leases/revoke-prefix/pki/sign/leased'));
    assert.ok((await x.read(`cert/${body.data.serial_number}`)).revocation_time > 0);
    assert.ok((await crlSerials()).includes((body.data.serial_number as string).replace(/:/g, '')));
  });

  it('gives no lease without generate_lease', async () => {
    await x.write('roles/plain', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec' });
    const body = ok(await x.call('POST', 'pki/issue/plain', { common_name: 'p.example.com', ttl: '1h' })).body as Record<string, any>;
    assert.equal(body.lease_id, '');
    assert.equal(body.lease_duration, 0);
  });

  it("fills allowed_domains templates from the caller's entity: name, metadata and alias", async () => {
    await enable(x.t.root, 'userpass', 'userpass');
    const accessor = ((await x.t.root.read('sys/auth'))!.data as Record<string, { accessor: string }>)['userpass/']!.accessor;
    ok(await x.call('PUT', 'sys/policies/acl/issuer', { policy: 'path "pki/issue/*" { capabilities = ["update"] }' }));
    ok(await x.call('POST', 'auth/userpass/users/alice', { password: 'pw-alice', token_policies: 'issuer' }));
    const entity = ok(await x.call('POST', 'identity/entity', { name: 'alice', metadata: { team: 'blue' } })).body!.data!;
    ok(await x.call('POST', 'identity/entity-alias', { name: 'alice', mount_accessor: accessor, canonical_id: entity.id }));
    await x.write('roles/mine', {
      allowed_domains: [`{{identity.entity.name}}.users.example.com`, '{{identity.entity.metadata.team}}.teams.example.com', `{{identity.entity.aliases.${accessor}.name}}.alias.example.com`, '{{identity.entity.metadata.missing}}.example.com'],
      allowed_domains_template: true,
      allow_bare_domains: true,
      allow_subdomains: true,
      key_type: 'ec',
    });
    const token = (await login(x.t.anon, 'auth/userpass/login/alice', { password: 'pw-alice' })).client_token;
    const alice = x.t.client(token);
    const d = ok(await x.call('POST', 'pki/issue/mine', { common_name: 'alice.users.example.com', alt_names: 'www.blue.teams.example.com,alice.alias.example.com', ttl: '1h' }, alice)).body!.data!;
    assert.match(openssl(['x509', '-noout', '-ext', 'subjectAltName'], d.certificate).out, /DNS:alice\.users\.example\.com, DNS:www\.blue\.teams\.example\.com, DNS:alice\.alias\.example\.com/);
    bad(await x.call('POST', 'pki/issue/mine', { common_name: 'bob.users.example.com' }, alice), /common name bob\.users\.example\.com not allowed/);
    // An entry whose template cannot be filled allows nothing, not its own text.
    bad(await x.call('POST', 'pki/issue/mine', { common_name: 'x.example.com' }, alice), /not allowed/);
    // The root token has no entity: no template fills, nothing is allowed.
    bad(await x.call('POST', 'pki/issue/mine', { common_name: 'alice.users.example.com' }), /not allowed by this role/);
    // allowed_uri_sans_template the same way.
    ok(await x.call('PATCH', 'pki/roles/mine', { allowed_uri_sans: 'spiffe://example.com/{{identity.entity.name}}/*', allowed_uri_sans_template: true }));
    ok(await x.call('POST', 'pki/issue/mine', { common_name: 'alice.users.example.com', uri_sans: 'spiffe://example.com/alice/web', ttl: '1h' }, alice));
    bad(await x.call('POST', 'pki/issue/mine', { common_name: 'alice.users.example.com', uri_sans: 'spiffe://example.com/bob/web' }, alice), /URI Subject Alternative Name spiffe:\/\/example\.com\/bob\/web not allowed/);
    // Without allowed_domains_template the braces are literal text.
    ok(await x.call('PATCH', 'pki/roles/mine', { allowed_domains_template: false }));
    bad(await x.call('POST', 'pki/issue/mine', { common_name: 'alice.users.example.com' }, alice), /not allowed by this role/);
  });
});
