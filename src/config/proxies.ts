/** `trustedProxies`: the proxies whose X-Forwarded-For is believed, as addresses or CIDR ranges. */
import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';
import type { Origin } from './setting.js';

/** A comma-separated string or a list of addresses (`10.0.0.5`, `::1`) and ranges (`10.0.0.0/8`). */
export function parseProxies(v: unknown, at: Origin): string[] {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [v];
  return list.map((e) => {
    const s = typeof e === 'string' ? e.trim() : '';
    const [address, prefix, extra] = s.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= max))) {
      throw new ConfigError(`${at.name}: expected IP addresses or CIDR ranges (10.0.0.0/8), got ${JSON.stringify(e)}`);
    }
    return s;
  });
}
