/**
 * sys/policies/password: named password generation policies (create, read, delete, LIST)
 * and `generate`, which engines such as database use through their handler context.
 */
import { z } from 'zod';
import { invalidRequest, notFound } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import type { Core } from '../core.js';
import { decodePolicyText } from '../password-policy/password-policy.js';

const nameField = z.string().min(1).describe('Name of the password policy');

export function passwordPolicyPaths(core: Core) {
  return [
    definePath({
      pattern: 'policies/password/?',
      operations: {
        list: async () => {
          const keys = await core.passwordPolicies.list();
          return keys.length ? { data: { keys } } : null;
        },
      },
      help: { synopsis: 'List the password policy names.' },
    }),
    definePath({
      pattern: 'policies/password/:name',
      fields: {
        name: nameField,
        policy: z.string().optional().describe('The policy in HCL or JSON, optionally base64-encoded: length and rule "charset" blocks'),
      },
      operations: {
        update: async ({ fields }) => {
          if (!fields.policy) throw invalidRequest('missing policy');
          await core.passwordPolicies.write(fields.name, decodePolicyText(fields.policy));
          return null;
        },
        read: async ({ fields }) => {
          const text = await core.passwordPolicies.read(fields.name);
          if (text === null) throw notFound('policy does not exist');
          return { data: { policy: text } };
        },
        delete: async ({ fields }) => {
          await core.passwordPolicies.delete(fields.name);
          return null;
        },
      },
      help: {
        synopsis: 'Write, read or delete a password policy.',
        description: 'A policy that cannot be satisfied (min-chars past length, an empty charset, a length outside 4..100) is refused when written.',
      },
    }),
    definePath({
      pattern: 'policies/password/:name/generate',
      fields: { name: nameField },
      operations: {
        read: async ({ fields }) => {
          if ((await core.passwordPolicies.read(fields.name)) === null) throw notFound('policy does not exist');
          return { data: { password: await core.passwordPolicies.generate(fields.name) } };
        },
      },
      help: { synopsis: 'Generate a password from a password policy.' },
    }),
  ];
}
