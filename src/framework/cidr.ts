/**
 * CIDR lists as tokens and auth methods use them: validated when configured, matched against
 * the real remote address on each request or login, and checked for containment (a secret id's CIDRs must lie within
 * its role's). Bare addresses count as /32 or /128. IPv4 clients seen on a dual-stack socket
 * (`::ffff:10.0.0.1`) are matched as IPv4.
 */
import { BlockList, isIP } from 'node:net';
import { invalidRequest } from '../errors.js';

interface Block {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseBlock(text: string): Block | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `text` is a CIDR block or a bare address. */
export const isCidrBlock = (text: string): boolean => parseBlock(text) !== undefined;

/** Trimmed, deduplicated; a 400 naming the field and the first entry that is not a CIDR block. */
export function checkCidrList(field: string, list: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const text = raw.trim();
    if (text === '') continue;
    if (!parseBlock(text)) throw invalidRequest(`invalid CIDR block in ${field}: "${text.slice(0, 64)}"`);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

function plainAddress(remote: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const address = remote.startsWith('::ffff:') && isIP(remote.slice(7)) === 4 ? remote.slice(7) : remote;
  const version = isIP(address);
  return version === 0 ? undefined : { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const block = parseBlock(text);
    if (block) list.addSubnet(block.address, block.prefix, block.family);
  }
  return list;
}

/** True when `remote` lies in one of `cidrs`; false when it is unknown or not an address. */
export function addressAllowed(remote: string | undefined, cidrs: readonly string[]): boolean {
  const parsed = remote ? plainAddress(remote) : undefined;
  return parsed !== undefined && blockList(cidrs).check(parsed.address, parsed.family);
}

/** True when every block of `inner` lies inside some block of `outer` (an empty `outer` allows anything). */
export function cidrsWithin(inner: readonly string[], outer: readonly string[]): boolean {
  if (outer.length === 0) return true;
  const outerBlocks = outer.map(parseBlock).filter((b): b is Block => b !== undefined);
  return inner.every((text) => {
    const block = parseBlock(text);
    if (!block) return false;
    // A block is inside another when its own address is, and it is at least as narrow: blocks are aligned.
    return outerBlocks.some((o) => o.family === block.family && block.prefix >= o.prefix && blockList([`${o.address}/${o.prefix}`]).check(block.address, block.family));
  });
}
