/**
 * transit: encryption as a service. Applications send data to be encrypted, decrypted,
 * signed, verified, HMAC'd or re-wrapped under named, versioned keys they never see, so keys
 * rotate without re-encrypting data (vault:v<N>: says which version made a ciphertext).
 *
 * Each mount has its own KeyStore: keys live in the mount's storage view (through the
 * barrier only) and, parsed, in memory, so the encrypt path reads no storage. The cache is
 * zeroed when the server seals or the mount is disabled.
 */
import { defineBackend, type Backend } from '../../framework/backend.js';
import { autoRotator } from './auto-rotate.js';
import { KeyStore } from './key-store.js';
import { backupPaths } from './paths/backup.js';
import { configPaths } from './paths/config.js';
import { datakeyPaths } from './paths/datakey.js';
import { encryptPaths } from './paths/encrypt.js';
import { exportPaths } from './paths/export.js';
import { hmacPaths } from './paths/hmac.js';
import { keyAdminPaths } from './paths/key-admin.js';
import { keysPaths } from './paths/keys.js';
import { rewrapPaths } from './paths/rewrap.js';
import { signPaths } from './paths/sign.js';
import { utilityPaths } from './paths/utilities.js';

/** Each transit backend's key store, for tests that check what the cache holds across a seal. */
export const keyStores = new WeakMap<Backend, KeyStore>();

export default function transitBackend(): Backend {
  const store = new KeyStore();
  const backend = defineBackend({
    type: 'transit',
    help:
      'Encryption as a service: encrypt, decrypt, rewrap, sign, verify, HMAC and data keys under named, versioned keys ' +
      'that never leave the server unless made exportable.',
    paths: [
      ...keysPaths(store),
      ...keyAdminPaths(store),
      ...encryptPaths(store),
      ...rewrapPaths(store),
      ...datakeyPaths(store),
      ...signPaths(store),
      ...hmacPaths(store),
      ...exportPaths(store),
      ...backupPaths(store),
      ...configPaths(store),
      ...utilityPaths(),
    ],
    periodic: autoRotator(store),
    cleanup: async () => store.close(),
    forget: () => store.close(),
  });
  keyStores.set(backend, store);
  return backend;
}
