/**
 * The keys of one mount, parsed, in memory: encrypt and decrypt find their key here instead
 * of reading and parsing its entry on every request. `size` 0 keeps every key (Vault's
 * default); otherwise the least recently used key is dropped past `size` (it is read from
 * storage again when next used). Dropping is not wiping: a request may still hold the key.
 */
export class KeyCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private limit = 0) {}

  get size(): number {
    return this.limit;
  }

  get(name: string): V | undefined {
    const value = this.entries.get(name);
    if (value !== undefined && this.limit > 0) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(name);
      this.entries.set(name, value);
    }
    return value;
  }

  set(name: string, value: V): void {
    this.entries.delete(name);
    this.entries.set(name, value);
    this.evict();
  }

  delete(name: string): void {
    this.entries.delete(name);
  }

  resize(limit: number): void {
    this.limit = limit;
    this.evict();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  clear(): void {
    this.entries.clear();
  }

  private evict(): void {
    if (this.limit <= 0) return;
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
