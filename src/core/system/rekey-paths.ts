/**
 * sys/rekey/* and sys/rekey-recovery-key/*: authorized by key shares. Vault serves them
 * without a token; Coffer does so only where the listener allows it
 * (`disable_unauthed_rekey_endpoints = false`) and otherwise asks for a token with sudo, so
 * nobody can start or cancel an operator's rekey from the network. A Shamir server rekeys
 * its unseal key with sys/rekey; an auto-unseal server, whose unseal key is kept by its
 * provider, rekeys its recovery key with sys/rekey-recovery-key, as in Vault. With
 * require_verification the new shares take effect only once a threshold of them comes back
 * through <base>/verify. The backup paths are ordinary (token, ACL) paths, as in Vault.
 */
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
  return [...rekeyPathsAt(core, 'rekey'), ...rekeyPathsAt(core, 'rekey-recovery-key'), ...backupPaths()];
}

function rekeyPathsAt(core: Core, base: 'rekey' | 'rekey-recovery-key') {
  return [
    definePath({
      pattern: `${base}/init`,
      fields: {
        secret_shares: f.int().optional().describe('How many new shares to split the key into'),
        secret_threshold: f.int().optional().describe('How many new shares rebuild the key'),
        pgp_keys: f.commaList().optional().describe('Not supported: new shares are never PGP-encrypted'),
        backup: f.bool().optional().describe('Not supported: a backup is only made of PGP-encrypted shares'),
        require_verification: f.bool().optional().describe('Install the new shares only once a threshold of them is given back on verify'),
      },
      operations: {
        read: () => {
          requireSealKind(core, base);
          return { raw: core.seal.rekey.status() };
        },
        update: async ({ fields }) => {
          requireSealKind(core, base);
          if (fields.pgp_keys?.length) throw invalidRequest('PGP keys are not supported: pgp_keys cannot be used; the new shares are returned as they are');
          if (fields.backup) throw invalidRequest('backup needs pgp_keys, and PGP keys are not supported');
          if (fields.secret_shares === undefined || fields.secret_threshold === undefined) {
            throw invalidRequest('secret_shares and secret_threshold are required');
          }
          return {
            raw: await core.seal.rekey.init({
              secretShares: fields.secret_shares,
              secretThreshold: fields.secret_threshold,
              requireVerification: fields.require_verification,
            }),
          };
        },
        delete: async () => {
          requireSealKind(core, base);
          await core.seal.rekey.cancel();
          return null;
        },
      },
      help: { synopsis: 'Start, read or cancel a rekey: new key shares for the same root key.' },
    }),
    definePath({
      pattern: `${base}/update`,
      fields: updateFields,
      operations: {
        update: async ({ fields }) => {
          requireSealKind(core, base);
          const { key, nonce } = requireKey(fields);
          const result = await core.seal.rekey.update(key, nonce);
          if (!result.complete) return { raw: result.status };
          const { keys, ...rest } = result;
          const body = { ...rest, keys: keys.map((k) => k.toString('hex')), keys_base64: keys.map((k) => k.toString('base64')) };
          for (const k of keys) k.fill(0);
          return { raw: body };
        },
      },
      help: { synopsis: 'Submit one current key share for the running rekey.' },
    }),
    definePath({
      pattern: `${base}/verify`,
      fields: updateFields,
      operations: {
        read: () => {
          requireSealKind(core, base);
          return { raw: core.seal.rekey.verifyStatus() };
        },
        update: async ({ fields }) => {
          requireSealKind(core, base);
          const { key, nonce } = requireKey(fields);
          const result = await core.seal.rekey.verify(key, nonce);
          return { raw: result.complete ? { nonce: result.nonce, complete: true } : result.status };
        },
        // Vault answers the restart with the verification status, not 204.
        delete: async () => {
          requireSealKind(core, base);
          return { raw: await core.seal.rekey.restartVerification() };
        },
      },
      help: { synopsis: 'Read, advance or restart the verification of the new shares of a rekey.' },
    }),
  ];
}

/**
 * Vault keeps a backup of PGP-encrypted new shares when rekey/init asked for one. Coffer
 * refuses PGP keys, so there is never a backup: reads answer as Vault does without one.
 */
function backupPaths() {
  return ['rekey/backup', 'rekey/recovery-key-backup'].map((pattern) =>
    definePath({
      pattern,
      operations: {
        read: () => {
          throw invalidRequest('no backed-up keys: a backup is only kept of PGP-encrypted shares, and PGP keys are not supported');
        },
        delete: () => null,
      },
      help: { synopsis: 'Read or delete the backup of PGP-encrypted rekeyed shares (never made: PGP keys are not supported).' },
    }),
  );
}
