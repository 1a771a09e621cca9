/**
 * The read-decide-write sequences of a PKI mount that must not interleave: a revocation and
 * the CRL rebuilt after it (two at once could each build from a list missing the other's
 * serial), and a root's name checks with the default it may become. Keyed by mount, so
 * mounts never wait for each other.
 */
import type { MountInfo } from '../../framework/backend.js';
import { KeyLock } from '../../framework/key-lock.js';

const lock = new KeyLock();

export const withMountLock = <T>(mount: MountInfo, what: 'crl' | 'issuers', fn: () => Promise<T>): Promise<T> => lock.run(`${mount.uuid}/${what}`, fn);
