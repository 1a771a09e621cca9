/**
 * pki: a certificate authority behind the barrier, speaking Vault's multi-issuer PKI API.
 * Issuers and their keys live in the mount's storage view; certificates are built with
 * @peculiar/x509 on node's webcrypto. The CA certificates and chains are public, as in
 * Vault: clients fetch them without a token to trust what this mount issues.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
import { acmePaths, acmeUnauthenticated } from './acme/paths.js';
import { refreshCrls } from './crl.js';
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

export default function pkiBackend(): Backend {
  return defineBackend({
    type: 'pki',
    help:
      'A certificate authority: root issuers whose keys never leave the server, roles, certificates issued or signed ' +
      'from CSRs under them, revocation and CRLs; the CA certificates and CRLs are public.',
    paths: [...rootPaths(), ...issuerPaths(), ...keyPaths(), ...configIssuersPaths(), ...caPaths(), ...rolePaths(), ...issuePaths(), ...revokePaths(), ...certPaths(), ...acmePaths()],
    secrets: [certLeaseType],
    periodic: refreshCrls,
    unauthenticated: ['ca', 'ca/pem', 'ca_chain', 'cert/*', 'issuer/+/pem', 'issuer/+/der', 'issuer/+/json', 'issuers', 'issuers/', 'crl', 'crl/pem', ...acmeUnauthenticated()],
  });
}
