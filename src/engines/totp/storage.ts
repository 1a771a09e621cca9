/** The totp engine's keys at rest (`key/<name>`, JSON behind the barrier). */
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { TotpKey } from '../../crypto/totp.js';

export interface StoredTotpKey extends TotpKey {
  skew: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function keyName(name: string): string {
  if (!NAME.test(name)) throw invalidRequest('name must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
  return name;
}

export const getKey = (s: Storage, name: string) => getJson<StoredTotpKey>(s, `key/${keyName(name)}`);
export const putKey = (s: Storage, name: string, key: StoredTotpKey) => putJson(s, `key/${keyName(name)}`, key);
export const deleteKey = (s: Storage, name: string) => s.delete(`key/${keyName(name)}`);
export const listKeys = (s: Storage) => s.list('key/');
