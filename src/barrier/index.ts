export { Barrier, KEYRING_PATH, type BarrierOptions, type KeyStatus } from './barrier.js';
export { EntryCache, type EntryCacheOptions } from './entry-cache.js';
export { sealEntry, openEntry, EntryOpenError, KEY_BYTES, ENTRY_OVERHEAD } from './aead.js';
