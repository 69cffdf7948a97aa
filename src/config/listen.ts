/** The address `serve` listens on. */
import { ConfigError } from './config-error.js';

/** Parses `HOST:PORT`, `:PORT`, `PORT` or `[v6]:PORT`; `field` starts the error message. */
export function parseListen(v: string, field = 'listen'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v) ?? (/^\d+$/.test(v) ? [v, undefined, '', v] : null);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new ConfigError(`${field}: expected HOST:PORT (for example 127.0.0.1:9000), got "${v}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
