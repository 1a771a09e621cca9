/**
 * The token auth method (`auth/token/`), which lives in core: the declarative path table
 * over a TokenStore. Paths follow Vault's token auth API.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
import type { TokenBackendDeps } from './paths/common.js';
import { createPaths } from './paths/create.js';
import { lookupPaths } from './paths/lookup.js';
import { maintenancePaths } from './paths/maintenance.js';
import { renewRevokePaths } from './paths/renew-revoke.js';
import { rolePaths } from './paths/roles.js';
import type { TokenStore } from './token-store.js';

export type { TokenBackendDeps } from './paths/common.js';

export function createTokenBackend(store: TokenStore, deps: TokenBackendDeps = {}): Backend {
  return defineBackend({
    type: 'token',
    help: 'The token store: create, look up, renew and revoke tokens, and manage token roles.',
    paths: [
      ...createPaths(store, deps),
      ...lookupPaths(store),
      ...renewRevokePaths(store, deps),
      ...rolePaths(store),
      ...maintenancePaths(store),
    ],
    sudo: ['revoke-orphan', 'revoke-orphan/*', 'accessors', 'accessors/*'],
    periodic: async (ctx) => {
      const count = await store.revokeExpired();
      if (count > 0) ctx.logger.debug('revoked expired tokens', { count });
    },
  });
}
