/**
 * Identity tokens and the OIDC provider, as paths of the identity mount: what the mount
 * registers (paths, the unauthenticated ones, rotation on the active node, forgetting on seal).
 */
import type { BackgroundContext, PathDefinition } from '../../../framework/backend.js';
import type { IdentityStore } from '../identity-store.js';
import { rotateKey, rotationDue } from './keys.js';
import { OidcState } from './oidc-state.js';
import { assignmentScopePaths } from './paths/assignment-scope.js';
import { clientPaths } from './paths/client.js';
import { keyPaths } from './paths/key.js';
import { providerDiscoveryPaths } from './paths/provider-discovery.js';
import { providerFlowPaths } from './paths/provider-flow.js';
import { providerPaths } from './paths/provider.js';
import { rolePaths } from './paths/role.js';
import { tokenConfigPaths } from './paths/token-config.js';
import { allRecords, readRecord, writeRecord } from './records.js';

export const OIDC_UNAUTHENTICATED = [
  'oidc/.well-known/*',
  'oidc/provider/+/.well-known/openid-configuration',
  'oidc/provider/+/.well-known/keys',
  'oidc/provider/+/token',
  'oidc/provider/+/userinfo',
];

export interface OidcParts {
  paths: PathDefinition[];
  periodic: (ctx: BackgroundContext) => Promise<void>;
  forget: () => void;
}

export function createOidc(store: IdentityStore, apiAddr: () => string): OidcParts {
  const oidc = new OidcState(store, apiAddr);
  return {
    // Provider flow first: its literal tails (authorize, token…) must win over provider/:name.
    paths: [...tokenConfigPaths(oidc), ...keyPaths(oidc), ...rolePaths(oidc), ...providerDiscoveryPaths(oidc), ...providerFlowPaths(oidc), ...providerPaths(oidc), ...clientPaths(oidc), ...assignmentScopePaths(oidc)],
    async periodic(ctx) {
      const now = ctx.clock();
      await oidc.ensureDefaults(ctx.storage, now);
      for (const key of await allRecords(ctx.storage, 'key')) {
        const expired = key.versions.some((v) => v.expireAt !== undefined && v.expireAt <= now);
        if (!rotationDue(key, now) && !expired) continue;
        await oidc.lock.run(`key/${key.name}`, async () => {
          const current = await readRecord(ctx.storage, 'key', key.name);
          if (!current) return;
          if (rotationDue(current, now)) return writeRecord(ctx.storage, 'key', await rotateKey(current, now));
          const versions = current.versions.filter((v) => v.expireAt === undefined || v.expireAt > now);
          if (versions.length !== current.versions.length) await writeRecord(ctx.storage, 'key', { ...current, versions });
        });
      }
    },
    forget: () => oidc.forget(),
  };
}
