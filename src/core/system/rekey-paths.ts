/**
 * sys/rekey/* and sys/rekey-recovery-key/*: authorized by key shares. Vault serves them
 * without a token; Coffer does so only where the listener allows it
 * (`disable_unauthed_rekey_endpoints = false`) and otherwise asks for a token with sudo, so
 * nobody can start or cancel an operator's rekey from the network. A Shamir server rekeys
 * its unseal key with sys/rekey; an auto-unseal server, whose unseal key is kept by its
 * provider, rekeys its recovery key with sys/rekey-recovery-key, as in Vault.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import { f } from '../../framework/fields.js';
import type { Core } from '../core.js';
import { requireKey, updateFields } from './key-fields.js';

/** Refuses the rekey path that does not match this server's seal. */
function requireSealKind(core: Core, base: 'rekey' | 'rekey-recovery-key'): void {
  const auto = core.seal.configuredType !== 'shamir';
  if (base === 'rekey' && auto) {
    throw invalidRequest('with auto-unseal the unseal key is kept by the seal provider; rekey the recovery keys with sys/rekey-recovery-key');
  }
  if (base === 'rekey-recovery-key' && !auto) throw invalidRequest('this server has no recovery keys (it uses Shamir unseal keys): use sys/rekey');
}

export function rekeyPaths(core: Core) {
  return [...rekeyPathsAt(core, 'rekey'), ...rekeyPathsAt(core, 'rekey-recovery-key')];
}

function rekeyPathsAt(core: Core, base: 'rekey' | 'rekey-recovery-key') {
  return [
    definePath({
      pattern: `${base}/init`,
      fields: {
        secret_shares: f.int().optional(),
        secret_threshold: f.int().optional(),
        pgp_keys: z.array(z.string()).optional(),
        backup: f.bool().optional(),
        require_verification: f.bool().optional(),
      },
      operations: {
        read: () => {
          requireSealKind(core, base);
          return { raw: core.seal.rekeyStatus() };
        },
        update: async ({ fields }) => {
          requireSealKind(core, base);
          if (fields.pgp_keys?.length || fields.backup) throw invalidRequest('PGP-encrypted key shares and backups are not supported');
          if (fields.require_verification) throw invalidRequest('rekey verification is not supported');
          if (fields.secret_shares === undefined || fields.secret_threshold === undefined) {
            throw invalidRequest('secret_shares and secret_threshold are required');
          }
          return { raw: await core.seal.rekeyInit({ secretShares: fields.secret_shares, secretThreshold: fields.secret_threshold }) };
        },
        delete: () => {
          requireSealKind(core, base);
          core.seal.rekeyCancel();
          return null;
        },
      },
      help: { synopsis: 'Start, read or cancel a rekey: new unseal key shares for the same root key.' },
    }),
    definePath({
      pattern: `${base}/update`,
      fields: updateFields,
      operations: {
        update: async ({ fields }) => {
          requireSealKind(core, base);
          const { key, nonce } = requireKey(fields);
          const result = await core.seal.rekeyUpdate(key, nonce);
          if (!result.complete) return { raw: result.status };
          const keys = result.keys;
          const body = {
            complete: true,
            nonce: result.nonce,
            keys: keys.map((k) => k.toString('hex')),
            keys_base64: keys.map((k) => k.toString('base64')),
            pgp_fingerprints: null,
            backup: false,
            verification_required: false,
          };
          for (const k of keys) k.fill(0);
          return { raw: body };
        },
      },
      help: { synopsis: 'Submit one current unseal key share for the running rekey.' },
    }),
  ];
}
