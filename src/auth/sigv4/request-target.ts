/** Splitting a raw request target (`/path?query`, still percent-encoded) and reading its parameters. */
import { percentDecodeToBytes } from './uri-encode.js';

/** The raw path and raw query of a request target; an absolute-form target (`http://host/p`) is cut to its path. */
export function splitTarget(url: string): { rawPath: string; rawQuery: string } {
  let target = url;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (scheme) target = target.slice(scheme[0].length);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  return q < 0 ? { rawPath: target, rawQuery: '' } : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

/** Decoded query parameters, first value of each name, names case-sensitive. */
export function queryParams(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = percentDecodeToBytes(eq < 0 ? piece : piece.slice(0, eq)).toString('utf8');
    if (out.has(name)) continue;
    out.set(name, percentDecodeToBytes(eq < 0 ? '' : piece.slice(eq + 1)).toString('utf8'));
  }
  return out;
}
