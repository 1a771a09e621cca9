/** `config`: the mount's settings (renewal binding, alias metadata, cache sizes). */
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { getConfig, putConfig } from '../storage.js';

export function configPath(onChange: () => void): PathDefinition {
  return definePath({
    pattern: 'config',
    fields: {
      disable_binding: f.bool().optional().describe('Renew tokens without checking that the client presents the certificate that logged in'),
      enable_identity_alias_metadata: f.bool().optional().describe('Put the login metadata on the identity alias too'),
      ocsp_cache_size: f.int().optional().describe('OCSP answers kept (2 or more)'),
      role_cache_size: f.int().optional().describe('Accepted for compatibility; roles are read from the barrier cache'),
    },
    operations: {
      update: async (ctx) => {
        const v = ctx.fields;
        if (v.ocsp_cache_size !== undefined && v.ocsp_cache_size < 2) throw invalidRequest('invalid cache size, must be >= 2');
        if (v.role_cache_size !== undefined && v.role_cache_size !== -1 && v.role_cache_size < 0) throw invalidRequest('invalid role cache size, must be >= 0 or -1');
        const current = await getConfig(ctx.storage);
        await putConfig(ctx.storage, {
          disableBinding: v.disable_binding ?? current.disableBinding,
          enableIdentityAliasMetadata: v.enable_identity_alias_metadata ?? current.enableIdentityAliasMetadata,
          ocspCacheSize: v.ocsp_cache_size ?? current.ocspCacheSize,
          roleCacheSize: v.role_cache_size ?? current.roleCacheSize,
        });
        onChange();
        return null;
      },
      read: async (ctx) => {
        const c = await getConfig(ctx.storage);
        return {
          data: {
            disable_binding: c.disableBinding,
            enable_identity_alias_metadata: c.enableIdentityAliasMetadata,
            ocsp_cache_size: c.ocspCacheSize,
            role_cache_size: c.roleCacheSize,
          },
        };
      },
    },
    help: { synopsis: 'Configure the cert auth method.' },
  });
}
