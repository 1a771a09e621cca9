/**
 * Where a validator may connect. A challenge makes the server open connections to addresses
 * an ACME client chose (its DNS), so without a guard any account holder could make Coffer
 * probe its own network or fetch a cloud metadata service. Some addresses are never
 * contacted; an operator can narrow the rest to `allowedNetworks`.
 */
import { BlockList, isIP } from 'node:net';
import { ChallengeFailed } from './types.js';

type Family = 'ipv4' | 'ipv6';

/** Address ranges no validation connects to, whatever the configuration says, and why. */
const NEVER_RANGES: { prefix: string; bits: number; family: Family; why: string }[] = [
  { prefix: '0.0.0.0', bits: 8, family: 'ipv4', why: 'an unspecified ("this network") address' },
  { prefix: '::', bits: 128, family: 'ipv6', why: 'the unspecified address' },
  { prefix: '169.254.0.0', bits: 16, family: 'ipv4', why: 'a link-local address (where cloud metadata services answer)' },
  { prefix: 'fe80::', bits: 10, family: 'ipv6', why: 'a link-local address' },
  { prefix: '224.0.0.0', bits: 4, family: 'ipv4', why: 'a multicast address' },
  { prefix: '255.255.255.255', bits: 32, family: 'ipv4', why: 'the broadcast address' },
  { prefix: 'ff00::', bits: 8, family: 'ipv6', why: 'a multicast address' },
];
const NEVER = NEVER_RANGES.map((range) => {
  const list = new BlockList();
  list.addSubnet(range.prefix, range.bits, range.family);
  return { ...range, list };
});

/** Parses "a.b.c.d/n" or "x::/n" (a bare address is a host network); undefined when malformed. */
export function parseCidr(cidr: string): { prefix: string; bits: number; family: Family } | undefined {
  const [prefix = '', bitsText, extra] = cidr.trim().split('/');
  const version = isIP(prefix);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  return { prefix, bits, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The first entry of `cidrs` that is not a CIDR, for validating configuration up front. */
export function invalidNetwork(cidrs: readonly string[]): string | undefined {
  return cidrs.find((c) => parseCidr(c) === undefined);
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address for every check here. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

export type AddressGuard = (address: string) => string | undefined;

/** A function answering why an address may not be contacted, or undefined when it may. */
export function addressGuard(allowedNetworks: readonly string[] = []): AddressGuard {
  const bad = invalidNetwork(allowedNetworks);
  if (bad !== undefined) return () => `the allowed networks list holds "${bad}", which is not a CIDR, so no address is allowed`;
  const allowed = new BlockList();
  for (const cidr of allowedNetworks) {
    const n = parseCidr(cidr)!;
    allowed.addSubnet(n.prefix, n.bits, n.family);
  }
  return (raw) => {
    const address = plainAddress(raw);
    const version = isIP(address);
    if (version === 0) return 'not an IP address';
    const family: Family = version === 4 ? 'ipv4' : 'ipv6';
    for (const range of NEVER) {
      if (range.family === family && range.list.check(address, family)) return `${range.why}, which validation never connects to`;
    }
    if (allowedNetworks.length > 0 && !allowed.check(address, family)) {
      return `outside the networks challenges may reach (${allowedNetworks.join(', ')})`;
    }
    return undefined;
  };
}

/** Refuses the whole validation when any address `name` resolved to may not be contacted. */
export function assertReachable(name: string, addresses: readonly string[], guard: AddressGuard): void {
  for (const address of addresses) {
    const why = guard(address);
    if (why !== undefined) {
      const subject = address === name ? `address ${address}` : `${name} resolves to ${address}`;
      throw new ChallengeFailed('rejectedIdentifier', `${subject}: ${why}`);
    }
  }
}
