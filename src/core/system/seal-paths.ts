/**
 * sys/init, sys/unseal, sys/seal, sys/seal-status, sys/health, sys/key-status,
 * sys/rotate, sys/rekey/*, sys/generate-root/*. Vault answers most of these with a bare
 * JSON body rather than the envelope; so do we.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import { f } from '../../framework/fields.js';
import type { Response } from '../../logical/request.js';
import { parseKeyShare } from '../../seal/key-share.js';
import type { Core } from '../core.js';
import { VERSION } from '../version.js';

async function sealStatusBody(core: Core) {
  const status = core.seal.unsealStatus();
  return {
    type: status.type,
    initialized: await core.isInitialized(),
    sealed: core.sealed,
    t: status.t,
    n: status.n,
    progress: status.progress,
    nonce: status.nonce,
    version: VERSION,
    build_date: '',
    migration: false,
    recovery_seal: status.recoverySeal,
    storage_type: core.physical.name,
    ...(core.sealed ? {} : { cluster_name: core.clusterName, cluster_id: core.clusterId }),
  };
}

const healthFields = {
  standbyok: f.bool().optional(),
  perfstandbyok: f.bool().optional(),
  activecode: f.int().optional(),
  standbycode: f.int().optional(),
  drsecondarycode: f.int().optional(),
  performancestandbycode: f.int().optional(),
  sealedcode: f.int().optional(),
  uninitcode: f.int().optional(),
};

function statusCode(code: number | undefined, fallback: number): number {
  return code !== undefined && code >= 100 && code <= 599 ? code : fallback;
}

export function sealPaths(core: Core) {
  return [
    definePath({
      pattern: 'seal-status',
      operations: { read: async () => ({ raw: await sealStatusBody(core) }) },
      help: { synopsis: 'Whether the server is initialized and sealed, and unseal progress.' },
    }),
    definePath({
      pattern: 'health',
      fields: healthFields,
      operations: {
        read: async ({ fields }) => {
          const initialized = await core.isInitialized();
          // An unsealed HA node that is not the active one; `standbyok` makes it answer as active.
          const standby = initialized && !core.sealed && core.ha !== undefined && !core.ha.serving();
          const status = !initialized
            ? statusCode(fields.uninitcode, 501)
            : core.sealed
              ? statusCode(fields.sealedcode, 503)
              : standby && !fields.standbyok
                ? statusCode(fields.standbycode, 429)
                : statusCode(fields.activecode, 200);
          return {
            status,
            raw: {
              initialized,
              sealed: core.sealed,
              standby,
              performance_standby: false,
              replication_performance_mode: 'disabled',
              replication_dr_mode: 'disabled',
              server_time_utc: Math.floor(Date.now() / 1000),
              version: VERSION,
              ...(initialized && !core.sealed ? { cluster_name: core.clusterName, cluster_id: core.clusterId } : {}),
            },
          };
        },
      },
      help: { synopsis: 'Health of this node, as a status code and a body.' },
    }),
    definePath({
      pattern: 'init',
      fields: {
        secret_shares: f.int().optional(),
        secret_threshold: f.int().optional(),
        pgp_keys: z.array(z.string()).optional(),
        root_token_pgp_key: z.string().optional(),
        stored_shares: f.int().optional(),
        recovery_shares: f.int().optional(),
        recovery_threshold: f.int().optional(),
        recovery_pgp_keys: z.array(z.string()).optional(),
      },
      operations: {
        read: async () => ({ raw: { initialized: await core.isInitialized() } }),
        update: async ({ fields }) => {
          if (await core.isInitialized()) throw invalidRequest('Vault is already initialized');
          if (fields.pgp_keys?.length || fields.root_token_pgp_key) throw invalidRequest('PGP-encrypted key shares are not supported');
          const auto = core.seal.configuredType !== 'shamir';
          if (auto && fields.recovery_pgp_keys?.length) throw invalidRequest('PGP-encrypted key shares are not supported');
          if (!auto && (fields.secret_shares === undefined || fields.secret_threshold === undefined)) {
            throw invalidRequest('secret_shares and secret_threshold are required');
          }
          if (!auto && (fields.recovery_shares !== undefined || fields.recovery_threshold !== undefined)) {
            throw invalidRequest('recovery_shares and recovery_threshold apply only to an auto-unseal seal; this server uses Shamir unseal keys');
          }
          const { keys, recoveryKeys, rootToken } = await core.initialize({
            secretShares: fields.secret_shares ?? 1,
            secretThreshold: fields.secret_threshold ?? 1,
            recoveryShares: fields.recovery_shares,
            recoveryThreshold: fields.recovery_threshold,
          });
          const body = {
            keys: keys.map((k) => k.toString('hex')),
            keys_base64: keys.map((k) => k.toString('base64')),
            ...(auto
              ? { recovery_keys: recoveryKeys.map((k) => k.toString('hex')), recovery_keys_base64: recoveryKeys.map((k) => k.toString('base64')) }
              : {}),
            root_token: rootToken,
          };
          for (const k of [...keys, ...recoveryKeys]) k.fill(0);
          return { raw: body };
        },
      },
      help: { synopsis: 'Initialize a new server: create the root key, split the unseal key, issue a root token.' },
    }),
    definePath({
      pattern: 'unseal',
      fields: { key: z.string().optional(), reset: f.bool().optional(), migrate: f.bool().optional() },
      operations: {
        update: async ({ fields }) => {
          if (!(await core.isInitialized())) throw invalidRequest('Vault is not initialized');
          if (fields.reset) {
            core.seal.resetUnseal();
            return { raw: await sealStatusBody(core) };
          }
          if (!fields.key) throw invalidRequest("'key' must be specified in request body as JSON, or 'reset' set to true");
          if (core.sealed) await core.seal.submitUnsealKey(parseKeyShare(fields.key));
          return { raw: await sealStatusBody(core) };
        },
      },
      help: { synopsis: 'Submit one unseal key share, or reset the unseal attempt.' },
    }),
    definePath({
      pattern: 'seal',
      operations: {
        update: async () => {
          await core.sealVault();
          return null;
        },
      },
      help: { synopsis: 'Seal the server: key material is dropped from memory.' },
    }),
    definePath({
      pattern: 'key-status',
      operations: {
        read: (): Response => {
          const s = core.barrier.keyStatus();
          return { data: { term: s.term, install_time: s.installTime.toISOString(), encryptions: s.encryptions }, legacyTopLevel: true };
        },
      },
      help: { synopsis: 'The barrier encryption key in use: its term and install time.' },
    }),
    definePath({
      pattern: 'rotate',
      operations: {
        update: async () => {
          await core.barrier.rotate();
          return null;
        },
      },
      help: { synopsis: 'Add a new barrier encryption key term; older terms still decrypt.' },
    }),
  ];
}
