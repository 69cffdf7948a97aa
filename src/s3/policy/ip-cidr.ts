/** IP addresses and CIDR blocks, IPv4 and IPv6, as the IpAddress/NotIpAddress operators compare them. */
import { isIPv4, isIPv6 } from 'node:net';

/** A parsed CIDR block: the address as a 32- or 128-bit number and its prefix length. */
export interface Cidr {
  bits: 32 | 128;
  base: bigint;
  prefix: number;
}

function v4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBigInt(ip: string): bigint | undefined {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = v4ToBigInt(v4[1]);
    text = text.slice(0, v4.index) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = text.includes('::') ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array<string>(fill).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An address as a number, with its width; IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as the IPv4 address. */
export function parseIp(ip: string): { bits: 32 | 128; value: bigint } | undefined {
  const text = ip.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(text)) return { bits: 32, value: v4ToBigInt(text) };
  if (!isIPv6(text)) return undefined;
  const value = v6ToBigInt(text);
  if (value === undefined) return undefined;
  if (value >> 32n === 0xffffn) return { bits: 32, value: value & 0xffffffffn };
  return { bits: 128, value };
}

/** `203.0.113.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addr);
  if (!ip || (ip.bits === 32 && addr.includes(':') && slash >= 0)) return undefined;
  const prefixText = slash < 0 ? String(ip.bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > ip.bits) return undefined;
  return { bits: ip.bits, base: ip.value, prefix };
}

/** Whether `ip` lies in `cidr` (an IPv4 address never lies in an IPv6 block, nor the reverse). */
export function inCidr(ip: string, cidr: Cidr): boolean {
  const a = parseIp(ip);
  if (!a || a.bits !== cidr.bits) return false;
  const shift = BigInt(cidr.bits - cidr.prefix);
  return a.value >> shift === cidr.base >> shift;
}
