/**
 * sys/locked-users: the aliases user lockout has locked, by auth mount accessor, and unlocking
 * one. Vault groups the answer by namespace; Coffer has one, the root (`namespace_id: root`).
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import type { Core } from '../core.js';

export function lockedUsersPaths(core: Core) {
  return [
    definePath({
      pattern: 'locked-users',
      fields: { mount_accessor: z.string().optional() },
      operations: {
        read: ({ fields }) => {
          const accessor = fields.mount_accessor?.trim() || undefined;
          const mounts = core.lockout.list(accessor);
          const total = mounts.reduce((n, m) => n + m.counts, 0);
          return {
            data: {
              by_namespace: [{ namespace_id: 'root', namespace_path: '', counts: total, mount_accessors: mounts }],
              total,
            },
          };
        },
      },
      help: { synopsis: 'List the users that failed logins have locked, by auth mount accessor.' },
    }),
    definePath({
      pattern: 'locked-users/:mount_accessor/unlock/:alias_identifier',
      fields: { mount_accessor: z.string(), alias_identifier: z.string() },
      operations: {
        update: async ({ fields }) => {
          const accessor = fields.mount_accessor.trim();
          if (!core.mounts.list('auth').some((e) => e.accessor === accessor)) {
            throw invalidRequest(`no auth mount has the accessor "${accessor.slice(0, 128)}"`);
          }
          // Userpass locks the normalized (trimmed, lower-case) username: `Alice` unlocks `alice`.
          const normalized = fields.alias_identifier.trim().toLowerCase();
          await core.lockout.unlock(accessor, fields.alias_identifier);
          if (normalized !== fields.alias_identifier) await core.lockout.unlock(accessor, normalized);
          return null;
        },
      },
      help: {
        synopsis: 'Unlock a user locked by failed logins.',
        description: 'alias_identifier is the name the method locks: a userpass username (lower-case). Unlocking a user who is not locked succeeds.',
      },
    }),
  ];
}
