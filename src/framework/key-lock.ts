/**
 * One holder at a time per key, for read-decide-write sequences that span awaits (a kv
 * secret's next version, a transit key's rotation, a secret id's use count, a role and its
 * role-id index): two such sequences interleaving would both decide from the same state.
 * Uncontended keys cost one map entry for the duration of the call; nothing is kept afterwards.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
