/**
 * Which request headers audit entries record (`sys/config/auditing/request-headers`), and
 * whether each is hashed. Persisted behind the barrier at `core/audited-headers`; names
 * are lower-cased, as the http layer hands headers to core.
 */
import { invalidRequest } from '../../errors.js';
import { getJson, putJson, type Storage } from '../../logical/storage.js';
import type { AuditedHeaderTable } from './audit-entry.js';

const KEY = 'core/audited-headers';

/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]{1,256}$/;

export function normalizeHeaderName(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (!HEADER_NAME.test(name)) throw invalidRequest(`invalid header name "${raw}": use letters, digits and - _ . ! # $ % & ' * + ^ \` | ~`);
  return name;
}

export class AuditedHeaders {
  private entries: AuditedHeaderTable = new Map();
  // Changes run one after another, each from the table the previous one left: two
  // concurrent writes must not both start from the same table and lose one header.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly storage: Storage) {}

  get table(): AuditedHeaderTable {
    return this.entries;
  }

  async load(): Promise<void> {
    const stored = (await getJson<Record<string, { hmac: boolean }>>(this.storage, KEY)) ?? {};
    this.entries = new Map(Object.entries(stored).map(([name, s]) => [name, { hmac: !!s.hmac }]));
  }

  clear(): void {
    this.entries = new Map();
  }

  set(rawName: string, hmac: boolean): Promise<void> {
    const name = normalizeHeaderName(rawName);
    return this.change((current) => new Map([...current, [name, { hmac }]]));
  }

  remove(rawName: string): Promise<void> {
    const name = normalizeHeaderName(rawName);
    return this.change((current) => {
      if (!current.has(name)) return null;
      const next = new Map(current);
      next.delete(name);
      return next;
    });
  }

  /** Persisted first, then in effect: a failed write changes nothing. */
  private change(edit: (current: AuditedHeaderTable) => Map<string, { hmac: boolean }> | null): Promise<void> {
    const run = this.chain.then(async () => {
      const next = edit(this.entries);
      if (next === null) return;
      await putJson(this.storage, KEY, Object.fromEntries(next));
      this.entries = next;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
