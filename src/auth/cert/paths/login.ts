/**
 * `login` {name?}: a token for the client certificate of this TLS connection. Any role may
 * match unless `name` picks one. The token remembers the certificate's fingerprint, so that
 * only the same certificate can renew it (index.ts).
 */
import { z } from 'zod';
import { permissionDenied } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { addressAllowed } from '../../../framework/cidr.js';
import { tokenAuth } from '../../shared/token-params.js';
import { extensionMetadata } from '../constraints.js';
import type { OcspChecker } from '../ocsp.js';
import { getConfig, type RevokedSerials } from '../storage.js';
import { matchCertificate } from '../verify.js';
import { colonHex } from '../x509.js';

export function loginPath(ocsp: OcspChecker, revoked: RevokedSerials, onConfig: (ocspCacheSize: number) => void): PathDefinition {
  return definePath({
    pattern: 'login',
    fields: { name: z.string().optional().describe('Only this trusted certificate entry may match') },
    operations: {
      update: async (ctx) => {
        const config = await getConfig(ctx.storage);
        onConfig(config.ocspCacheSize);
        const name = ctx.fields.name?.trim() || undefined;
        const { role, leaf } = await matchCertificate(ctx, ctx.req, ocsp, revoked, name);
        if (role.token.boundCidrs.length > 0 && !addressAllowed(ctx.req.remoteAddress, role.token.boundCidrs)) throw permissionDenied();
        const metadata: Record<string, string> = {
          ...extensionMetadata(role, leaf),
          cert_name: role.name,
          common_name: leaf.commonName,
          serial_number: leaf.serialDecimal,
          subject_key_id: colonHex(leaf.subjectKeyId),
          authority_key_id: colonHex(leaf.authorityKeyId),
        };
        return {
          auth: {
            ...tokenAuth(role.token),
            displayName: role.displayName,
            metadata,
            // As Vault: the identity alias is the certificate's common name.
            alias: { name: leaf.commonName || leaf.serialDecimal, ...(config.enableIdentityAliasMetadata ? { metadata } : {}) },
            internalData: { fingerprint: leaf.fingerprint },
          },
        };
      },
    },
    help: { synopsis: 'Log in with the TLS client certificate of this connection.', description: 'Send name to try one trusted certificate entry only.' },
  });
}
