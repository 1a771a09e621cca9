/**
 * pki: a certificate authority behind the barrier, speaking Vault's multi-issuer PKI API.
 * Issuers and their keys live in the mount's storage view; certificates are built with
 * @peculiar/x509 on node's webcrypto. The CA certificates and chains are public, as in
 * Vault: clients fetch them without a token to trust what this mount issues.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
import { acmePaths, acmeUnauthenticated } from './acme/paths.js';
import { certLeaseType } from './leaf-lease.js';
import { caPaths } from './paths/ca.js';
import { configIssuersPaths } from './paths/config-issuers.js';
import { issuerPaths } from './paths/issuers.js';
import { keyPaths } from './paths/keys.js';
import { certPaths } from './paths/certs.js';
import { issuePaths } from './paths/issue.js';
import { revokePaths } from './paths/revoke.js';
import { rolePaths } from './paths/roles.js';
import { rootPaths } from './paths/root.js';
import { importPaths } from './paths/import.js';
import { intermediatePaths } from './paths/intermediate.js';
import { rotatePaths } from './paths/rotate.js';
import { signSelfIssuedPaths } from './paths/sign-self-issued.js';
import { signIntermediatePaths } from './paths/sign-intermediate.js';
import { signVerbatimPaths } from './paths/sign-verbatim.js';
import { forgetAllSigners } from './signer-cache.js';
import { configCrlPaths } from './paths/config-crl.js';
import { configUrlsPaths } from './paths/config-urls.js';
import { crlPaths } from './paths/crl.js';
import { ocspPaths } from './paths/ocsp.js';
import { tidyPaths } from './paths/tidy.js';
import { pkiPeriodic } from './tidy.js';
import { forgetSigningKeys } from './der.js';

export default function pkiBackend(): Backend {
  return defineBackend({
    type: 'pki',
    help:
      'A certificate authority: root issuers whose keys never leave the server, roles, certificates issued or signed ' +
      'from CSRs under them, revocation and CRLs; the CA certificates and CRLs are public.',
    // Issuer lifecycle paths first: issuer/:ref/:form would otherwise take issuer/:ref/sign-intermediate.
    // Revocation paths too: issuer/:ref/crl and issuer/:ref/ocsp.
    paths: [...crlPaths(), ...ocspPaths(), ...configCrlPaths(), ...configUrlsPaths(), ...tidyPaths(), ...signIntermediatePaths(), ...signSelfIssuedPaths(), ...signVerbatimPaths(), ...intermediatePaths(), ...importPaths(), ...rotatePaths(), ...rootPaths(), ...issuerPaths(), ...keyPaths(), ...configIssuersPaths(), ...caPaths(), ...rolePaths(), ...issuePaths(), ...revokePaths(), ...certPaths(), ...acmePaths()],
    secrets: [certLeaseType],
    periodic: pkiPeriodic,
    // Seal or unmount: no imported issuer key stays in memory (signer-cache.ts).
    forget: () => {
      forgetAllSigners();
      forgetSigningKeys();
    },
    // Deleting every issuer and key of a mount needs sudo, as in Vault.
    sudo: ['root', 'root/sign-self-issued', 'issuer/+/sign-self-issued'],
    unauthenticated: ['ca', 'ca/pem', 'ca_chain', 'cert/*', 'issuer/+/pem', 'issuer/+/der', 'issuer/+/json', 'issuers', 'issuers/', 'crl', 'crl/pem',
      'crl/delta', 'crl/delta/pem', 'issuer/+/crl', 'issuer/+/crl/der', 'issuer/+/crl/pem', 'issuer/+/crl/delta', 'issuer/+/crl/delta/der', 'issuer/+/crl/delta/pem',
      'ocsp', 'ocsp/*', 'issuer/+/ocsp', ...acmeUnauthenticated()],
  });
}
