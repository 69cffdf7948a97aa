/**
 * The CanonicalQueryString line: every parameter (except the signature itself in a presigned URL), name
 * and value decoded then URI-encoded by AWS's rule, sorted by name then value, joined by '&'.
 * A parameter without '=' (`?acl`) has the empty value (`acl=`).
 */
import { percentDecodeToBytes, uriEncodeBytes } from './uri-encode.js';

export interface CanonicalQueryOptions {
  /** A parameter name (decoded, exact case) left out: 'X-Amz-Signature' for presigned URLs. */
  exclude?: string;
  /** Decode '+' as a space (form encoding) instead of a literal '+'. */
  plusIsSpace?: boolean;
  /** Sort by decoded bytes (AWS's rule, the default) or by the encoded strings (what some clients do). */
  sortBy?: 'decoded' | 'encoded';
}

/** Canonical query string from decoded name/value pairs (strings are taken as UTF-8). */
export function canonicalQueryFromPairs(
  pairs: ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>,
  sortBy: 'decoded' | 'encoded' = 'decoded',
): string {
  const bytes = (v: string | Uint8Array): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  const rows = pairs.map(([n, v]) => {
    const name = bytes(n);
    const value = bytes(v);
    return { name, value, encName: uriEncodeBytes(name, false), encValue: uriEncodeBytes(value, false) };
  });
  // AWS sorts by code point before encoding (so do aws-c-auth and the JS SDK); some clients sort the
  // encoded forms instead, which differs only for names with reserved or non-ASCII characters.
  if (sortBy === 'decoded') {
    rows.sort((a, b) => Buffer.compare(a.name, b.name) || Buffer.compare(a.value, b.value));
  } else {
    rows.sort((a, b) => cmp(a.encName, b.encName) || cmp(a.encValue, b.encValue));
  }
  return rows.map((r) => `${r.encName}=${r.encValue}`).join('&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical query string from the raw query (the part after '?', still percent-encoded). */
export function canonicalQuery(rawQuery: string, opts: CanonicalQueryOptions = {}): string {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = percentDecodeToBytes(eq < 0 ? piece : piece.slice(0, eq), opts.plusIsSpace);
    const value = percentDecodeToBytes(eq < 0 ? '' : piece.slice(eq + 1), opts.plusIsSpace);
    if (opts.exclude !== undefined && name.toString('utf8') === opts.exclude) continue;
    pairs.push([name, value]);
  }
  return canonicalQueryFromPairs(pairs, opts.sortBy);
}
