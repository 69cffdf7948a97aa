/** Who sent a request: the peer's address, or the client a trusted proxy names in X-Forwarded-For. */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The addresses of proxies whose X-Forwarded-For is believed. */
export function trustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [address, prefix] = plain(e).split('/') as [string, string | undefined];
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

// An IPv4 peer on a dual-stack socket shows as ::ffff:1.2.3.4.
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function trusted(list: BlockList, address: string): boolean {
  return (isIPv4(address) || isIPv6(address)) && list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/**
 * The client's address. X-Forwarded-For is read only when the peer is a trusted proxy, and then from the right:
 * the first address not itself a trusted proxy is the client (anything further left is the client's own claim).
 */
export function clientAddress(req: IncomingMessage, proxies?: BlockList): string | undefined {
  const peer = req.socket.remoteAddress && plain(req.socket.remoteAddress);
  if (!peer || !proxies || !trusted(proxies, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => plain(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted(proxies, hops[i]!)) return isIPv4(hops[i]!) || isIPv6(hops[i]!) ? hops[i] : peer;
  }
  return hops[0] ?? peer;
}
