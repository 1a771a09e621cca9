/**
 * cert: clients log in with the TLS client certificate of their connection (Vault's cert auth
 * method). Trusted certificates (CAs, or pinned leaves) with constraints at `certs/<name>`,
 * CRLs at `crls/<name>`, settings at `config`; OCSP per role (ocsp.ts). The certificate is
 * read from the TLS socket by the http layer (Request.connection), never from a header.
 */
import { invalidRequest } from '../../errors.js';
import { defineBackend, type BackgroundContext, type LoginRenewal } from '../../framework/backend.js';
import { expectedTokenPolicies } from '../shared/token-params.js';
import { OcspChecker } from './ocsp.js';
import { certPaths } from './paths/certs.js';
import { configPath } from './paths/config.js';
import { crlPaths } from './paths/crls.js';
import { loginPath } from './paths/login.js';
import { getConfig, getRole, RevokedSerials } from './storage.js';
import { matchCertificate } from './verify.js';

export default function certBackend() {
  let ocspCacheSize = 100;
  const ocsp = new OcspChecker(() => ocspCacheSize);
  const revoked = new RevokedSerials();

  /**
   * As Vault, unless config disable_binding: the renewing request must present the very
   * certificate that logged in (its SHA-256 fingerprint), still trusted by the same entry
   * (constraints, CRLs, OCSP); the entry must still exist with the token's policies.
   */
  async function renewLogin(ctx: BackgroundContext, token: LoginRenewal): Promise<void> {
    const name = token.meta.cert_name ?? '';
    const config = await getConfig(ctx.storage);
    if (!config.disableBinding) {
      const { leaf } = await matchCertificate(ctx, token.req, ocsp, revoked, name);
      if (!token.internalData.fingerprint || leaf.fingerprint !== token.internalData.fingerprint) {
        throw invalidRequest('client identity during renewal not matching client identity used during login');
      }
    }
    const role = name === '' ? null : await getRole(ctx.storage, name);
    if (!role) throw invalidRequest(`trusted certificate "${name}" does not exist any more; the token cannot be renewed`);
    const expected = expectedTokenPolicies(role.token);
    const held = [...token.policies].sort();
    if (expected.length !== held.length || expected.some((p, i) => p !== held[i])) {
      throw invalidRequest('policies have changed since this token was issued; it cannot be renewed: log in again');
    }
  }

  return defineBackend({
    type: 'cert',
    help: 'Log in with a TLS client certificate. Trust CAs or pin certificates at certs/<name>; log in at login.',
    paths: [
      ...certPaths(),
      ...crlPaths(revoked),
      configPath(() => ocsp.forget()),
      loginPath(ocsp, revoked, (size) => {
        ocspCacheSize = size;
      }),
    ],
    unauthenticated: ['login'],
    renewLogin,
    forget: () => {
      ocsp.forget();
      revoked.clear();
    },
  });
}
