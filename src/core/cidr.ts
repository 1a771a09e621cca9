/** CIDR membership for token_bound_cidrs and friends, on node's own BlockList. */
import { BlockList, isIP } from 'node:net';
import { invalidRequest } from '../errors.js';

function family(addr: string): 'ipv4' | 'ipv6' {
  return isIP(addr) === 6 ? 'ipv6' : 'ipv4';
}

/** `::ffff:10.0.0.1` (how node reports IPv4 on a dual-stack socket) → `10.0.0.1`. */
export function normalizeRemoteAddress(addr: string): string {
  return addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

export function parseCidrs(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr = '', bitsText] = cidr.trim().split('/');
    if (!isIP(addr)) throw invalidRequest(`invalid CIDR block "${cidr}"`);
    const max = isIP(addr) === 6 ? 128 : 32;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > max) throw invalidRequest(`invalid CIDR block "${cidr}"`);
    list.addSubnet(addr, bits, family(addr));
  }
  return list;
}

export function addressInCidrs(remote: string | undefined, cidrs: string[]): boolean {
  if (!remote) return false;
  const addr = normalizeRemoteAddress(remote);
  if (!isIP(addr)) return false;
  return parseCidrs(cidrs).check(addr, family(addr));
}
