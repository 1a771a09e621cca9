/**
 * The identity store in the fuzz: its endpoints, with ids and names that are often nearly
 * right (uuid-shaped, generated names, names other requests may have made), so requests get
 * past field parsing into membership, cycle and alias checks.
 */
import { SAFE } from './alphabets.js';
import type { Prng } from './prng.js';

const idish = (r: Prng) => r.pick(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '', r.string(r.range(1, 36), SAFE), 'entity_1234abcd', '..', '%2F']);
const nameish = (r: Prng) => encodeURIComponent(r.pick(['fuzz-e', 'fuzz-g', 'x', 'ROOT', 'r\u00e9le', r.string(r.range(1, 10), SAFE)]));
const ENTITY_FIELDS = ['name', 'id', 'policies', 'metadata', 'disabled'];
const GROUP_FIELDS = ['name', 'id', 'type', 'policies', 'metadata', 'member_entity_ids', 'member_group_ids'];
const ALIAS_FIELDS = ['name', 'id', 'mount_accessor', 'canonical_id', 'entity_id', 'custom_metadata'];
const LOOKUP_FIELDS = ['id', 'name', 'alias_id', 'alias_name', 'alias_mount_accessor'];

export const IDENTITY_ENDPOINTS: { path: (r: Prng) => string; methods: string[]; fields: string[] }[] = [
  { path: () => 'identity/entity', methods: ['POST', 'PUT'], fields: ENTITY_FIELDS },
  { path: (r) => `identity/entity/${r.pick(['id', 'name'])}/${r.chance(0.5) ? idish(r) : nameish(r)}`, methods: ['POST', 'GET', 'DELETE'], fields: ENTITY_FIELDS },
  { path: (r) => `identity/${r.pick(['entity/id', 'entity/name', 'entity-alias/id', 'group/id', 'group/name', 'group-alias/id'])}${r.pick(['', '/'])}`, methods: ['LIST', 'GET'], fields: [] },
  { path: () => 'identity/entity/batch-delete', methods: ['POST'], fields: ['entity_ids'] },
  { path: () => 'identity/entity/merge', methods: ['POST'], fields: ['from_entity_ids', 'to_entity_id', 'force', 'conflicting_alias_ids_to_keep'] },
  { path: (r) => r.pick(['identity/entity-alias', `identity/entity-alias/id/${idish(r)}`]), methods: ['POST', 'GET', 'DELETE'], fields: ALIAS_FIELDS },
  { path: () => 'identity/group', methods: ['POST', 'PUT'], fields: GROUP_FIELDS },
  { path: (r) => `identity/group/${r.pick(['id', 'name'])}/${r.chance(0.5) ? idish(r) : nameish(r)}`, methods: ['POST', 'GET', 'DELETE'], fields: GROUP_FIELDS },
  { path: (r) => r.pick(['identity/group-alias', `identity/group-alias/id/${idish(r)}`]), methods: ['POST', 'GET', 'DELETE'], fields: ['name', 'id', 'mount_accessor', 'canonical_id'] },
  { path: (r) => `identity/lookup/${r.pick(['entity', 'group', 'x'])}`, methods: ['POST', 'PUT', 'GET'], fields: LOOKUP_FIELDS },
];
