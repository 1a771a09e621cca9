/**
 * The `identity/` mount, built by core over the identity store: entities, entity aliases,
 * groups, group aliases, lookups and login MFA configuration, following Vault's identity API. Always mounted, never
 * disabled or moved.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
import type { IdentityStore } from './identity-store.js';
import { entityAliasPaths } from './paths/entity-alias.js';
import { entityPaths } from './paths/entity.js';
import { groupAliasPaths } from './paths/group-alias.js';
import { groupPaths } from './paths/group.js';
import { lookupPaths } from './paths/lookup.js';
import { mfaEnforcementPaths } from './paths/mfa-enforcement.js';
import { mfaMethodPaths } from './paths/mfa-method.js';
import type { MfaStore } from './mfa/mfa-store.js';
import { createOidc, OIDC_UNAUTHENTICATED } from './oidc/index.js';

/** `apiAddr`: the server's api address, the default issuer of identity tokens and providers. */
export function createIdentityBackend(store: IdentityStore, mfa: MfaStore, apiAddr: () => string = () => ''): Backend {
  const oidc = createOidc(store, apiAddr);
  return defineBackend({
    type: 'identity',
    help: 'The identity store: entities and their aliases (one per auth mount), groups (internal, or external through group aliases), and the policies they add to tokens.',
    paths: [...entityPaths(store), ...entityAliasPaths(store), ...groupPaths(store), ...groupAliasPaths(store), ...lookupPaths(store), ...mfaMethodPaths(store, mfa), ...mfaEnforcementPaths(store, mfa), ...oidc.paths],
    unauthenticated: OIDC_UNAUTHENTICATED,
    periodic: oidc.periodic,
    forget: oidc.forget,
  });
}
