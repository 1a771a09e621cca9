/**
 * sys/policy (legacy shape with top-level copies), sys/policies/acl, and the capability
 * queries sys/capabilities, -self and -accessor.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath, type HandlerContext } from '../../framework/backend.js';
import { f } from '../../framework/fields.js';
import type { Response } from '../../logical/request.js';
import { canonicalizePath } from '../canonical-path.js';
import type { Core } from '../core.js';
import { combinePolicies } from '../identity/effective-policies.js';

function capabilitiesAnswer(core: Core, policies: string[], entityId: string, fields: { path?: string[]; paths?: string[] }): Response {
  const paths = [...(fields.paths ?? []), ...(fields.path ?? [])];
  if (paths.length === 0) throw invalidRequest('missing path');
  const acl = core.policies.aclFor(policies, entityId);
  const data: Record<string, unknown> = {};
  for (const raw of paths) data[raw] = acl.capabilities(canonicalizePath(raw));
  // Vault also answers `capabilities` for the single-path form (and with the first path's set).
  data.capabilities = data[paths[0]!];
  return { data, legacyTopLevel: true };
}

const pathsField = { path: f.commaList().optional(), paths: f.commaList().optional() };

export function policyPaths(core: Core) {
  const listNames = (): Response => {
    const names = core.policies.list();
    return { data: { keys: names, policies: names }, legacyTopLevel: true };
  };
  // Both API shapes write and delete alike; `rules` is the legacy name of `policy`.
  const writeOps = {
    update: async ({ fields }: HandlerContext<{ name: string; policy?: string; rules?: string }>) => {
      const text = fields.policy ?? fields.rules;
      if (text === undefined) throw invalidRequest("'policy' parameter not supplied or empty");
      await core.policies.put(fields.name, text);
      return null;
    },
    delete: async ({ fields }: HandlerContext<{ name: string }>) => {
      await core.policies.delete(fields.name);
      return null;
    },
  };
  return [
    definePath({
      pattern: 'policy/?',
      operations: { read: listNames, list: listNames },
      help: { synopsis: 'List the ACL policy names.' },
    }),
    definePath({
      pattern: 'policy/:name',
      fields: { name: z.string(), policy: z.string().optional(), rules: z.string().optional() },
      operations: {
        read: ({ fields }) => {
          const p = core.policies.get(fields.name);
          if (!p) return null;
          return { data: { name: p.name, rules: p.raw }, legacyTopLevel: true };
        },
        ...writeOps,
      },
      help: { synopsis: 'Read, write or delete an ACL policy (HCL or JSON text).' },
    }),
    definePath({
      pattern: 'policies/acl/?',
      operations: { list: () => ({ data: { keys: core.policies.list() } }) },
      help: { synopsis: 'List the ACL policy names.' },
    }),
    definePath({
      pattern: 'policies/acl/:name',
      fields: { name: z.string(), policy: z.string().optional() },
      operations: {
        read: ({ fields }) => {
          const p = core.policies.get(fields.name);
          return p ? { data: { name: p.name, policy: p.raw } } : null;
        },
        ...writeOps,
      },
      help: { synopsis: 'Read, write or delete an ACL policy (HCL or JSON text).' },
    }),
    definePath({
      pattern: 'capabilities',
      fields: { token: z.string().min(1, 'required'), ...pathsField },
      operations: {
        update: async ({ fields }) => {
          const entry = await core.tokens.lookup(fields.token);
          if (!entry) throw invalidRequest('invalid token');
          return capabilitiesAnswer(core, combinePolicies(entry.policies, core.identity.policiesOf(entry.entityId)), entry.entityId, fields);
        },
      },
      help: { synopsis: "A token's capabilities on the given paths." },
    }),
    definePath({
      pattern: 'capabilities-accessor',
      fields: { accessor: z.string().min(1, 'required'), ...pathsField },
      operations: {
        update: async ({ fields }) => {
          const entry = await core.tokens.lookupByAccessor(fields.accessor);
          if (!entry) throw invalidRequest('invalid accessor');
          return capabilitiesAnswer(core, combinePolicies(entry.policies, core.identity.policiesOf(entry.entityId)), entry.entityId, fields);
        },
      },
      help: { synopsis: "The capabilities of the token behind an accessor on the given paths." },
    }),
    definePath({
      pattern: 'capabilities-self',
      fields: pathsField,
      operations: {
        update: ({ fields, caller }) => capabilitiesAnswer(core, caller?.policies ?? [], caller?.entityId ?? '', fields),
      },
      help: { synopsis: "The calling token's capabilities on the given paths." },
    }),
  ];
}
