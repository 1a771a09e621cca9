/** `role/` (LIST) and `role/:name` (create, read, update, delete). */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import type { PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { rolePathTable } from '../../shared/roles.js';
import {
  applyTokenFields,
  checkAgainstMount,
  defaultTokenParams,
  legacyTokenFields,
  tokenFields,
  tokenParamsDataWithLegacyNames,
  type TokenFieldValues,
} from '../../shared/token-params.js';
import { type AliasNameSource, type KubeRole } from '../storage.js';

const roleFields = {
  name: z.string().describe('Name of the role'),
  bound_service_account_names: f.commaList().optional().describe('Service-account names allowed ("*" and globs allowed)'),
  bound_service_account_namespaces: f.commaList().optional().describe('Namespaces allowed ("*" and globs allowed)'),
  audience: z.string().optional().describe('The audience the service-account token must carry'),
  alias_name_source: z.string().optional().describe('"serviceaccount_uid" (the default) or "serviceaccount_name" (namespace/name)'),
  ...tokenFields,
  ...legacyTokenFields,
};

type RoleFields = z.infer<z.ZodObject<typeof roleFields>>;

const SOURCES: AliasNameSource[] = ['serviceaccount_uid', 'serviceaccount_name'];

function applyRole(current: KubeRole | null, name: string, v: RoleFields, mountMaxTtl: number, warnings: string[]): KubeRole {
  const names = v.bound_service_account_names ?? current?.boundServiceAccountNames ?? [];
  const namespaces = v.bound_service_account_namespaces ?? current?.boundServiceAccountNamespaces ?? [];
  if (names.length === 0) throw invalidRequest('"bound_service_account_names" can not be empty');
  if (namespaces.length === 0) throw invalidRequest('"bound_service_account_namespaces" can not be empty');
  if (names.length > 1 && names.includes('*')) throw invalidRequest('can not mix "*" with values in bound_service_account_names');
  if (namespaces.length > 1 && namespaces.includes('*')) throw invalidRequest('can not mix "*" with values in bound_service_account_namespaces');
  const source = (v.alias_name_source ?? current?.aliasNameSource ?? 'serviceaccount_uid').trim() as AliasNameSource;
  if (!SOURCES.includes(source)) throw invalidRequest(`invalid alias_name_source "${source.slice(0, 32)}": expected ${SOURCES.join(' or ')}`);
  const audience = (v.audience ?? current?.audience ?? '').trim();
  if (audience === '') warnings.push('This role does not have an audience. In Vault v1.21+, specifying an audience on roles will be required.');
  const token = applyTokenFields(current?.token ?? defaultTokenParams(), v as TokenFieldValues, warnings);
  checkAgainstMount(token, mountMaxTtl, warnings);
  return { name, boundServiceAccountNames: names, boundServiceAccountNamespaces: namespaces, audience, aliasNameSource: source, token };
}

function roleData(r: KubeRole): Record<string, unknown> {
  return {
    bound_service_account_names: [...r.boundServiceAccountNames],
    bound_service_account_namespaces: [...r.boundServiceAccountNamespaces],
    bound_service_account_namespace_selector: '',
    audience: r.audience,
    alias_name_source: r.aliasNameSource,
    ...tokenParamsDataWithLegacyNames(r.token),
  };
}

export function rolePaths(): PathDefinition[] {
  return rolePathTable({
    fields: roleFields,
    apply: applyRole,
    data: roleData,
    description: 'A role names the service accounts and namespaces that may log in (globs allowed), the audience their tokens must carry, and the token_* settings of the tokens they get.',
  });
}
