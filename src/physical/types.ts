/**
 * The physical layer: untrusted key/value storage. No crypto here; the barrier above
 * encrypts every value before it arrives. Keys are '/'-separated paths.
 */
export type PhysicalOp =
  | { kind: 'put'; key: string; value: Buffer }
  | { kind: 'delete'; key: string };

export interface PhysicalBackend {
  readonly name: string;
  get(key: string): Promise<Buffer | null>;
  put(key: string, value: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * One level below `prefix`: plain keys as their last segment, folders as `name/`,
   * each once, sorted by byte order. `prefix` is '' or ends in '/'.
   */
  list(prefix: string): Promise<string[]>;
  /** The same entries as `list`, only those sorting strictly after `after`, at most `limit`. */
  listPage(prefix: string, after: string, limit: number): Promise<string[]>;
  /** All operations applied, or none. */
  transaction(ops: PhysicalOp[]): Promise<void>;
  close(): Promise<void>;
}
