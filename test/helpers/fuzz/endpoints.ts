/**
 * Real endpoints with the methods and fields their handlers read, so a good share of the fuzz
 * gets past routing and into field parsing and handler logic.
 */
import { SAFE } from './alphabets.js';
import { anyValue, FIELD_NAMES, fieldValue, ODD_NAMES } from './field-values.js';
import { toJsonText, type J } from './json-text.js';
import { method } from './methods.js';
import { query } from './paths.js';
import type { Prng } from './prng.js';
import type { FuzzInputs } from './requests.js';
import { IDENTITY_ENDPOINTS } from './identity.js';
import { PKI_ENDPOINTS } from './pki.js';
import { TRANSIT_ENDPOINTS } from './transit.js';

interface Endpoint {
  path: (r: Prng) => string;
  methods: string[];
  fields: string[];
  /** The whole body of a write, when the fields must not be random (they would name files). */
  body?: (r: Prng, inputs: FuzzInputs) => J;
}

const name = (r: Prng) => r.pick(['fuzz-a', 'fuzz-b', 'p1', 'x', r.string(r.range(1, 10), SAFE), 'default', 'root', 'ROOT', 'r\u00e9le', '']);
const mountName = (r: Prng) => r.pick(['fuzzkv', 'fuzz1', 'fuzz2', 'secret', 'cubbyhole', 'sys', 'token', r.string(r.range(1, 8), SAFE), 'a/b', 'fuzzkv/sub']);
const secretPath = (r: Prng) => Array.from({ length: r.range(1, 3) }, () => r.pick(['a', 'b', 'x', 'db', 'app', '\u00e9t\u00e9', r.string(r.range(1, 8), SAFE)])).map(encodeURIComponent).join('/');

const auditName = (r: Prng) => r.pick(['fuzz-audit', 'fuzz-audit2', 'a/b', '', 'x*', r.string(r.range(1, 8), SAFE)]);

/**
 * Bodies for sys/audit/:path. Random options could name a real file (`path` is the old name
 * of file_path) or a syslog agent that is not there, so the only devices that can be
 * enabled write to "discard": the fuzz then runs with every request audited.
 */
function auditBody(r: Prng, inputs: FuzzInputs): J {
  const flags = (): { [k: string]: J } => {
    const o: { [k: string]: J } = {};
    for (const k of ['log_raw', 'hmac_accessor', 'elide_list_responses', 'prefix', 'format', 'mode']) if (r.chance(0.2)) o[k] = anyValue(r, inputs, 1);
    return o;
  };
  return r.pick<() => J>([
    () => ({ type: 'file', options: { file_path: 'discard', ...flags() } }),
    () => ({ type: 'file', description: anyValue(r, inputs, 1), local: anyValue(r, inputs, 1), options: { file_path: 'discard' } }),
    () => ({ type: r.pick<J>(['file', 'socket', 'kafka', '', 1, null, ['file']]), options: r.pick<J>([{}, 'str', [1], 5, { file_path: 5 }, { file_path: { deep: true } }, { file_path: 'relative.log' }, { file_path: '' }]) }),
    () => ({ type: 'socket', options: { address: r.pick<J>(['not-an-address', 'host:0', ':80', '[zz]:1', 7]), socket_type: r.pick<J>(['tcp', 'unix', 'udp', 3]) } }),
    () => ({ type: 'syslog', options: { facility: r.pick<J>(['NOPE', 'local9', 1, '']), tag: 'two words' } }),
    () => anyValue(r, inputs, 2),
  ])();
}

const TOKEN_CREATE_FIELDS = ['policies', 'ttl', 'num_uses', 'period', 'explicit_max_ttl', 'meta', 'no_parent', 'no_default_policy', 'renewable', 'display_name', 'type', 'id', 'role_name', 'lease', 'entity_alias'];
const ROLE_FIELDS = ['allowed_policies', 'disallowed_policies', 'allowed_policies_glob', 'orphan', 'renewable', 'path_suffix', 'token_bound_cidrs', 'token_explicit_max_ttl', 'token_period', 'token_no_default_policy', 'token_num_uses', 'token_type', 'bound_cidrs', 'explicit_max_ttl', 'period'];

const ENDPOINTS: Endpoint[] = [
  { path: (r) => `sys/mounts/${mountName(r)}`, methods: ['POST', 'PUT', 'GET', 'DELETE'], fields: ['type', 'description', 'config', 'options', 'local', 'seal_wrap', 'path', 'external_entropy_access'] },
  { path: (r) => `sys/mounts/${mountName(r)}/tune`, methods: ['POST', 'GET'], fields: ['default_lease_ttl', 'max_lease_ttl', 'description', 'options', 'listing_visibility', 'force_no_cache', 'audit_non_hmac_request_keys', 'passthrough_request_headers'] },
  { path: (r) => `sys/auth/${mountName(r)}`, methods: ['POST', 'GET', 'DELETE'], fields: ['type', 'description', 'config', 'options', 'local'] },
  { path: () => 'sys/remount', methods: ['POST'], fields: ['from', 'to'] },
  { path: (r) => `sys/${r.pick(['policy', 'policies/acl'])}/${encodeURIComponent(name(r))}`, methods: ['PUT', 'POST', 'GET', 'DELETE'], fields: ['policy', 'rules', 'name'] },
  { path: (r) => r.pick(['sys/policy', 'sys/policies/acl', 'sys/policies/acl/']), methods: ['GET', 'LIST'], fields: [] },
  { path: () => 'sys/capabilities', methods: ['POST'], fields: ['token', 'path', 'paths'] },
  { path: () => 'sys/capabilities-self', methods: ['POST'], fields: ['path', 'paths'] },
  { path: () => 'sys/capabilities-accessor', methods: ['POST'], fields: ['accessor', 'path', 'paths'] },
  { path: (r) => `sys/audit/${auditName(r)}`, methods: ['PUT', 'POST', 'GET', 'DELETE'], fields: [], body: auditBody },
  { path: (r) => r.pick(['sys/audit', 'sys/audit/']), methods: ['GET', 'LIST'], fields: [] },
  { path: (r) => `sys/audit-hash/${auditName(r)}`, methods: ['POST', 'PUT'], fields: ['input'] },
  { path: (r) => `sys/config/auditing/request-headers${r.chance(0.2) ? '' : `/${encodeURIComponent(name(r))}`}`, methods: ['GET', 'PUT', 'POST', 'DELETE'], fields: ['hmac'] },
  { path: () => 'sys/unseal', methods: ['PUT'], fields: ['key', 'reset', 'migrate'] },
  { path: () => 'sys/seal', methods: ['PUT', 'POST'], fields: [] },
  { path: () => 'sys/init', methods: ['PUT', 'GET'], fields: ['secret_shares', 'secret_threshold', 'pgp_keys', 'root_token_pgp_key', 'stored_shares', 'recovery_shares'] },
  { path: () => 'sys/rekey/init', methods: ['PUT', 'GET', 'DELETE'], fields: ['secret_shares', 'secret_threshold', 'pgp_keys', 'backup', 'require_verification'] },
  { path: () => 'sys/rekey/update', methods: ['PUT'], fields: ['key', 'nonce'] },
  { path: () => 'sys/generate-root/attempt', methods: ['PUT', 'GET', 'DELETE'], fields: ['pgp_key', 'otp'] },
  { path: () => 'sys/generate-root/update', methods: ['PUT'], fields: ['key', 'nonce'] },
  { path: (r) => `sys/${r.pick(['rekey', 'rekey-recovery-key'])}/verify`, methods: ['PUT', 'GET', 'DELETE'], fields: ['key', 'nonce'] },
  { path: (r) => r.pick(['sys/rekey/backup', 'sys/rekey/recovery-key-backup']), methods: ['GET', 'DELETE'], fields: [] },
  { path: () => 'sys/generate-root-token/attempt', methods: ['PUT', 'GET', 'DELETE'], fields: ['pgp_key', 'otp'] },
  { path: () => 'sys/generate-root-token/update', methods: ['PUT'], fields: ['key', 'nonce'] },
  { path: (r) => r.pick(['sys/rotate', 'sys/key-status', 'sys/seal-status', 'sys/leader', 'sys/health', 'sys/internal/specs/openapi']), methods: ['GET', 'PUT'], fields: [] },
  { path: (r) => `sys/internal/ui/mounts/${r.chance(0.3) ? '' : mountName(r)}`, methods: ['GET'], fields: [] },
  { path: (r) => r.pick(['auth/token/create', 'auth/token/create-orphan', `auth/token/create/${encodeURIComponent(name(r))}`]), methods: ['POST', 'PUT'], fields: TOKEN_CREATE_FIELDS },
  { path: () => 'auth/token/lookup', methods: ['POST', 'GET'], fields: ['token'] },
  { path: () => 'auth/token/lookup-accessor', methods: ['POST'], fields: ['accessor'] },
  { path: () => 'auth/token/lookup-self', methods: ['GET', 'POST'], fields: [] },
  { path: () => 'auth/token/renew', methods: ['POST'], fields: ['token', 'increment'] },
  { path: () => 'auth/token/renew-self', methods: ['POST'], fields: ['increment'] },
  { path: () => 'auth/token/renew-accessor', methods: ['POST'], fields: ['accessor', 'increment'] },
  { path: (r) => r.pick(['auth/token/revoke', 'auth/token/revoke-orphan']), methods: ['POST'], fields: ['token'] },
  { path: () => 'auth/token/revoke-accessor', methods: ['POST'], fields: ['accessor'] },
  { path: () => 'auth/token/revoke-self', methods: ['POST'], fields: [] },
  { path: (r) => `auth/token/roles/${encodeURIComponent(name(r))}`, methods: ['POST', 'GET', 'DELETE'], fields: ROLE_FIELDS },
  { path: (r) => r.pick(['auth/token/roles', 'auth/token/accessors', 'auth/token/accessors/']), methods: ['LIST', 'GET'], fields: [] },
  { path: () => 'auth/token/tidy', methods: ['POST'], fields: [] },
  { path: (r) => r.pick(['sys/leases/lookup', 'sys/leases/renew', 'sys/leases/revoke', 'sys/renew', 'sys/revoke']), methods: ['PUT', 'POST', 'GET'], fields: ['lease_id', 'increment', 'sync'] },
  { path: (r) => `sys/leases/${r.pick(['lookup', 'renew', 'revoke'])}/${r.pick(['secret/', 'fuzzkv/x/', 'auth/token/create/', ''])}${secretPath(r)}`, methods: ['PUT', 'LIST'], fields: ['increment', 'sync'] },
  { path: (r) => `sys/${r.pick(['leases/revoke-prefix', 'leases/revoke-force', 'revoke-prefix'])}/${r.pick(['fuzzkv/', 'nomount/', '', '../'])}${secretPath(r)}`, methods: ['PUT'], fields: ['sync'] },
  { path: (r) => r.pick(['sys/leases/tidy', 'sys/leases/count', 'sys/leases']), methods: ['PUT', 'GET'], fields: ['type', 'limit', 'include_child_namespaces'] },
  { path: (r) => `${r.pick(['cubbyhole', 'secret', 'fuzzkv'])}/${secretPath(r)}${r.chance(0.2) ? '/' : ''}`, methods: ['PUT', 'POST', 'GET', 'DELETE', 'LIST', 'PATCH'], fields: ['value', 'data', 'password', 'ttl', 'path', 'list', 'help', 'version', 'options'] },
  { path: (r) => `${r.pick(['cubbyhole', 'secret', 'fuzzkv'])}${r.pick(['', '/'])}`, methods: ['LIST', 'GET'], fields: [] },
  { path: (r) => `secret/data/${secretPath(r)}`, methods: ['PUT', 'POST', 'PATCH', 'GET', 'DELETE'], fields: ['data', 'options', 'version'] },
  { path: (r) => `secret/metadata/${r.chance(0.3) ? '' : secretPath(r)}`, methods: ['PUT', 'POST', 'PATCH', 'GET', 'DELETE', 'LIST'], fields: ['max_versions', 'cas_required', 'delete_version_after', 'custom_metadata', 'after', 'limit'] },
  { path: (r) => `secret/${r.pick(['delete', 'undelete', 'destroy'])}/${secretPath(r)}`, methods: ['PUT', 'POST'], fields: ['versions'] },
  { path: (r) => `secret/subkeys/${secretPath(r)}`, methods: ['GET'], fields: ['version', 'depth'] },
  { path: () => 'secret/config', methods: ['PUT', 'POST', 'GET'], fields: ['max_versions', 'cas_required', 'delete_version_after'] },
  { path: (r) => `sys/wrapping/${r.pick(['wrap', 'unwrap', 'lookup', 'rewrap'])}`, methods: ['POST', 'PUT', 'GET'], fields: ['token', 'data', 'value', 'password'] },
  ...TRANSIT_ENDPOINTS,
  ...PKI_ENDPOINTS,
  ...IDENTITY_ENDPOINTS,
];

export function endpointRequest(r: Prng, inputs: FuzzInputs): { method: string; target: string; body?: Buffer; kind: string } {
  const e = r.pick(ENDPOINTS);
  const m = r.chance(0.9) ? r.pick(e.methods) : method(r);
  let target = `/v1/${e.path(r)}`;
  if (r.chance(0.08)) target += '?' + query(r);
  const writes = m === 'POST' || m === 'PUT' || m === 'PATCH';
  if (writes && e.body) return { method: m, target, body: Buffer.from(toJsonText(e.body(r, inputs)), 'utf8'), kind: 'endpoint-object' };
  if (!writes || e.fields.length === 0) {
    if (r.chance(0.8)) return { method: m, target, kind: 'none' };
  }
  const obj: { [k: string]: J } = {};
  const fields = e.fields.length ? e.fields : FIELD_NAMES;
  for (let i = r.range(1, Math.min(4, fields.length)); i > 0; i--) {
    const f = r.pick(fields);
    obj[f] = fieldValue(r, inputs, f, 2);
  }
  if (r.chance(0.1)) obj[r.pick(ODD_NAMES)] = anyValue(r, inputs, 1);
  return { method: m, target, body: Buffer.from(toJsonText(obj), 'utf8'), kind: 'endpoint-object' };
}
