/**
 * The CanonicalHeaders and SignedHeaders lines: for each signed header, in the order the client listed
 * them, `name:value\n` with the value trimmed and inner whitespace runs collapsed to one space, and
 * several values of one header joined by ','.
 */
import { bytesOf } from './uri-encode.js';

/** One header value in canonical form. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/**
 * The canonical header block, one char per byte (values arrive from Node as latin1, one char per byte;
 * text with wider chars is UTF-8 encoded first). `valuesOf` gives every value of a header, or none.
 */
export function canonicalHeaders(signedHeaders: readonly string[], valuesOf: (name: string) => readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) {
    const joined = valuesOf(name).map(canonicalHeaderValue).join(',');
    out += `${name}:${bytesOf(joined).toString('latin1')}\n`;
  }
  return out;
}
