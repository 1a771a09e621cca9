/** How the request pipeline treats a node of an HA cluster that is not (or no longer) active. */
import { CofferError } from '../../errors.js';
import type { HaManager } from './ha-manager.js';

/** Thrown on a standby for every request it does not answer itself; the http layer forwards it. */
export const standbyError = () => new CofferError('Standby', 'this node is a standby: the request goes to the active node');

export const lostActive = () =>
  new CofferError('Unavailable', 'this node stopped being the active node while handling the request: it was not completed here; retry it');

/**
 * Runs a request on the active node. If the node is demoted before the answer is ready,
 * the answer (whatever it is) is replaced by a 503: what was loaded above the barrier has
 * just been dropped, and the client should retry against the new active node. A node that
 * stopped competing was sealed (by this request, perhaps): its answer stands.
 */
export async function whileActive<T>(ha: HaManager, run: () => Promise<T>): Promise<T> {
  const epoch = ha.epoch;
  // The epoch moves only once the node notices; a process paused past the lock's TTL has not
  // yet, but its lease is stale already (check() reads the clock) and its answer may be too.
  const demoted = () => ha.isRunning && (ha.epoch !== epoch || ha.check() !== 'active');
  let result: T;
  try {
    result = await run();
  } catch (err) {
    if (demoted()) throw lostActive();
    throw err;
  }
  if (demoted()) throw lostActive();
  return result;
}
