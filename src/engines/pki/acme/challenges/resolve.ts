/**
 * Name resolution for validators: through the configured resolver ("host:port") when there
 * is one, else the system's. Validators connect to exactly the addresses returned here and
 * never let a client library look the name up again, so a DNS answer that changes between
 * check and connect (rebinding) cannot steer a connection elsewhere.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { Budget } from './budget.js';
import { ChallengeFailed } from './types.js';

/** Lower case, no trailing dot, IPv6 brackets removed: the form names are compared in. */
export function normalizeName(name: string): string {
  return name.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/** A resolver cancelled when the budget runs out; `release` drops that hook once the query is answered. */
function resolverFor(dnsResolver: string, budget: Budget): { resolver: dns.Resolver; release(): void } {
  const resolver = new dns.Resolver({ timeout: budget.remainingMs(), tries: 1 });
  if (dnsResolver !== '') {
    try {
      resolver.setServers([dnsResolver]);
    } catch {
      throw new ChallengeFailed('dns', `the DNS resolver "${dnsResolver}" is not an IP address with an optional port`);
    }
  }
  const cancel = () => resolver.cancel();
  budget.signal.addEventListener('abort', cancel, { once: true });
  return { resolver, release: () => budget.signal.removeEventListener('abort', cancel) };
}

/** A resolver error as the ACME `dns` problem a client can act on. */
function dnsProblem(err: unknown, rrType: string, name: string, dnsResolver: string): ChallengeFailed {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const server = dnsResolver === '' ? 'the system resolver' : dnsResolver;
  const why: Record<string, string> = {
    ENOTFOUND: `NXDOMAIN: ${name} does not exist`,
    ENODATA: `no ${rrType} records for ${name}`,
    ETIMEOUT: `the ${rrType} query for ${name} to ${server} timed out`,
    ECANCELLED: `the ${rrType} query for ${name} to ${server} timed out`,
    EAI_AGAIN: `the ${rrType} query for ${name} to ${server} timed out or failed temporarily`,
    ESERVFAIL: `SERVFAIL from ${server} for the ${rrType} query for ${name}`,
    EREFUSED: `${server} refused the ${rrType} query for ${name}`,
    ECONNREFUSED: `could not reach the DNS server ${server}`,
  };
  return new ChallengeFailed('dns', why[code] ?? `the ${rrType} query for ${name} failed (${code || (err as Error).message})`);
}

/** Errors that mean "this record type has no answer" rather than "DNS failed". */
const EMPTY = new Set(['ENODATA', 'ENOTFOUND']);

/** The addresses to connect to for `name`, IPv6 first (as public CAs try them). An IP literal is used as it is. */
export async function resolveAddresses(name: string, dnsResolver: string, budget: Budget): Promise<string[]> {
  const host = normalizeName(name);
  if (isIP(host) !== 0) return [host];
  budget.doing('dns', `resolving ${host} through ${dnsResolver || 'the system resolver'}`);
  if (dnsResolver === '') return systemLookup(host, budget);
  const { resolver, release } = resolverFor(dnsResolver, budget);
  const [v6, v4] = await Promise.allSettled([resolver.resolve6(host), resolver.resolve4(host)]).finally(release);
  const addresses = [...(v6.status === 'fulfilled' ? v6.value : []), ...(v4.status === 'fulfilled' ? v4.value : [])];
  if (addresses.length > 0) return addresses;
  const errors = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as NodeJS.ErrnoException] : []));
  // A real failure (timeout, SERVFAIL) says more than an empty answer for the other type.
  const hard = errors.find((e) => !EMPTY.has(e.code ?? ''));
  if (hard !== undefined) throw dnsProblem(hard, 'A/AAAA', host, dnsResolver);
  const nxdomain = errors.find((e) => e.code === 'ENOTFOUND');
  if (nxdomain !== undefined) throw dnsProblem(nxdomain, 'A/AAAA', host, dnsResolver);
  throw new ChallengeFailed('dns', `no A/AAAA records for ${host}`);
}

async function systemLookup(host: string, budget: Budget): Promise<string[]> {
  try {
    const found = await Promise.race([dns.lookup(host, { all: true, verbatim: true }), budget.expired]);
    return [...found.filter((a) => a.family === 6), ...found.filter((a) => a.family === 4)].map((a) => a.address);
  } catch (err) {
    if (err instanceof ChallengeFailed) throw err;
    throw dnsProblem(err, 'A/AAAA', host, '');
  }
}

/** The TXT strings at `name` (each record's chunks joined); CNAMEs are followed by the resolver. */
export async function resolveTxt(name: string, dnsResolver: string, budget: Budget): Promise<string[]> {
  const host = normalizeName(name);
  budget.doing('dns', `querying TXT ${host} through ${dnsResolver || 'the system resolver'}`);
  const { resolver, release } = resolverFor(dnsResolver, budget);
  try {
    const records = await resolver.resolveTxt(host);
    return records.map((chunks) => chunks.join(''));
  } catch (err) {
    throw dnsProblem(err, 'TXT', host, dnsResolver);
  } finally {
    release();
  }
}
