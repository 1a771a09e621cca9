/**
 * Typed reads and writes of the OIDC records below the identity mount's storage:
 *   oidc/config, oidc/key/<name>, oidc/role/<name>, oidc/provider/<name>,
 *   oidc/client/<name>, oidc/assignment/<name>, oidc/scope/<name>
 */
import { putJson, readShared, type Storage } from '../../../logical/storage.js';
import type { Assignment, Client, NamedKey, OidcConfig, Provider, Role, Scope } from './types.js';

export interface Kinds {
  key: NamedKey;
  role: Role;
  provider: Provider;
  client: Client;
  assignment: Assignment;
  scope: Scope;
}
export type Kind = keyof Kinds;

const keyOf = (kind: Kind, name: string) => `oidc/${kind}/${name}`;

/** Shared, frozen copies where the storage caches parsed values: callers build new records, never edit these. */
export const readRecord = <K extends Kind>(storage: Storage, kind: K, name: string): Promise<Kinds[K] | null> =>
  readShared<Kinds[K]>(storage, keyOf(kind, name)) as Promise<Kinds[K] | null>;

export const writeRecord = <K extends Kind>(storage: Storage, kind: K, record: Kinds[K]): Promise<void> => putJson(storage, keyOf(kind, record.name), record);

export const deleteRecord = (storage: Storage, kind: Kind, name: string): Promise<void> => storage.delete(keyOf(kind, name));

export async function listNames(storage: Storage, kind: Kind): Promise<string[]> {
  return (await storage.list(`oidc/${kind}/`)).filter((k) => !k.endsWith('/')).sort();
}

export async function allRecords<K extends Kind>(storage: Storage, kind: K): Promise<Kinds[K][]> {
  const out: Kinds[K][] = [];
  for (const name of await listNames(storage, kind)) {
    const r = await readRecord(storage, kind, name);
    if (r) out.push(r);
  }
  return out;
}

export async function readConfig(storage: Storage): Promise<OidcConfig> {
  return ((await readShared<OidcConfig>(storage, 'oidc/config')) as OidcConfig | null) ?? { issuer: '' };
}

export const writeConfig = (storage: Storage, config: OidcConfig): Promise<void> => putJson(storage, 'oidc/config', config);

/** A name LIST answers: Vault's shape, null when there is nothing. */
export const listAnswer = (keys: string[], keyInfo?: Record<string, unknown>) =>
  keys.length === 0 ? null : { data: keyInfo ? { keys, key_info: keyInfo } : { keys } };
