/**
 * Parsed PEM public keys, remembered for the list they came from: logins verify against the
 * same configured keys every time, so they are parsed once per configuration, not per login.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { invalidRequest } from '../../errors.js';

/** The PEM text as a public key (a certificate gives its key), or a 400 naming `field[index]`. */
export function parsePublicKey(pem: string, field: string, index: number): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.type !== 'public') throw new Error('not a public key');
    return key;
  } catch {
    throw invalidRequest(`${field}[${index}] is not a PEM public key or certificate`);
  }
}

export class PemKeyCache {
  private last?: { pems: readonly string[]; keys: KeyObject[] };

  constructor(private readonly field: string) {}

  keys(pems: readonly string[]): KeyObject[] {
    const last = this.last;
    if (last && last.pems.length === pems.length && last.pems.every((p, i) => p === pems[i])) return last.keys;
    const keys = pems.map((pem, i) => parsePublicKey(pem, this.field, i));
    this.last = { pems: [...pems], keys };
    return keys;
  }

  forget(): void {
    this.last = undefined;
  }
}
