/** The token store and the token auth method, for core. */
export { TokenStore, type TokenStoreOptions, type LookupOptions } from './token-store.js';
export { createTokenBackend, type TokenBackendDeps } from './token-backend.js';
export {
  USED_UP, isFinalUse, isExpired, remainingSeconds, normalizePolicies, boundCidrsAllow, authBlock, lookupData,
  type TokenEntry, type CreateTokenOptions,
} from './token-entry.js';
export { TokenHasher, newServiceToken, SERVICE_TOKEN_PREFIX } from './token-ids.js';
export { tokenDisplayName } from './paths/create.js';
export type { TokenRole } from './token-roles.js';
export type { TidyReport } from './token-tidy.js';
