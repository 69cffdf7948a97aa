/** The certificate and key files HTTPS is served with: from `tls:` in the file, or `--tls-cert`/`--tls-key` pairs. */
import { ConfigError } from './config-error.js';
import { pathIn, type Origin } from './setting.js';

/** A certificate chain file and its private key file (PEM). */
export interface TlsPair {
  cert: string;
  key: string;
}

/** The command line's list of paths for one option, resolved against the origin's folder. */
export function pathList(v: unknown, at: Origin): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((p) => pathIn(p, at));
}

/** `tls:` in the configuration file: one `{cert, key}` mapping or a list of them. */
export function parseTlsPairs(v: unknown, at: Origin): TlsPair[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((item, i) => {
    const name = Array.isArray(v) ? `${at.name}[${i}]` : at.name;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ConfigError(`${name}: expected a mapping with cert and key`);
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'cert' && k !== 'key') throw new ConfigError(`${name}.${k}: unknown setting (known: cert, key)`);
    if (o.cert === undefined || o.key === undefined) throw new ConfigError(`${name}: expected both cert and key`);
    return { cert: pathIn(o.cert, { ...at, name: `${name}.cert` }), key: pathIn(o.key, { ...at, name: `${name}.key` }) };
  });
}

/**
 * The pairs to serve: the command line's `--tls-cert`/`--tls-key` (paired in order) replace the file's `tls:`.
 * Empty: plain HTTP.
 */
export function tlsPairs(c: { tls?: TlsPair[]; tlsCert?: string[]; tlsKey?: string[] }): TlsPair[] {
  const certs = c.tlsCert ?? [];
  const keys = c.tlsKey ?? [];
  if (certs.length !== keys.length) {
    throw new ConfigError(`--tls-cert and --tls-key come in pairs: got ${certs.length} certificate(s) and ${keys.length} key(s)`);
  }
  if (certs.length) return certs.map((cert, i) => ({ cert, key: keys[i]! }));
  return c.tls ?? [];
}
