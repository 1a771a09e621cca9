/**
 * pki: a certificate authority behind the barrier, speaking Vault's multi-issuer PKI API.
 * Issuers and their keys live in the mount's storage view; certificates are built with
 * @peculiar/x509 on node's webcrypto. The CA certificates and chains are public, as in
 * Vault: clients fetch them without a token to trust what this mount issues.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
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
import { importPaths } from './paths/import.js';
import { intermediatePaths } from './paths/intermediate.js';
import { rotatePaths } from './paths/rotate.js';
import { signSelfIssuedPaths } from './paths/sign-self-issued.js';
import { signIntermediatePaths } from './paths/sign-intermediate.js';
import { signVerbatimPaths } from './paths/sign-verbatim.js';
import { forgetAllSigners } from './signer-cache.js';

export default function pkiBackend(): Backend {
  return defineBackend({
    type: 'pki',
    help:
      'A certificate authority: root issuers whose keys never leave the server, roles, certificates issued or signed ' +
      'from CSRs under them, revocation and CRLs; the CA certificates and CRLs are public.',
    // Issuer lifecycle paths first: issuer/:ref/:form would otherwise take issuer/:ref/sign-intermediate.
    paths: [...signIntermediatePaths(), ...signSelfIssuedPaths(), ...signVerbatimPaths(), ...intermediatePaths(), ...importPaths(), ...rotatePaths(), ...rootPaths(), ...issuerPaths(), ...keyPaths(), ...configIssuersPaths(), ...caPaths(), ...rolePaths(), ...issuePaths(), ...revokePaths(), ...certPaths()],
    secrets: [certLeaseType],
    periodic: refreshCrls,
    // Seal or unmount: no imported issuer key stays in memory (signer-cache.ts).
    forget: forgetAllSigners,
    // Deleting every issuer and key of a mount needs sudo, as in Vault.
    sudo: ['root', 'root/sign-self-issued', 'issuer/+/sign-self-issued'],
    unauthenticated: ['ca', 'ca/pem', 'ca_chain', 'cert/*', 'issuer/+/pem', 'issuer/+/der', 'issuer/+/json', 'issuers', 'issuers/', 'crl', 'crl/pem'],
  });
}
