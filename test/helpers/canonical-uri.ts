/**
 * The canonical URIs a server might rebuild from a raw request path, for signing paths that no SDK would send.
 * Why several: S3 servers sign the path as decoded then re-encoded, and whether `%2F` inside a segment stays encoded
 * (or an invalid UTF-8 sequence becomes U+FFFD) is theirs to choose; a hostile test must get past authentication
 * whichever they chose, or it would test only the signature check.
 */
import { uriEncode } from './sigv4.js';
import { pathPart } from './raw-request.js';

/** Candidate canonical URIs for a raw request target, most likely first, without duplicates. */
export function canonicalUriCandidates(target: string): string[] {
  const path = pathPart(target);
  const segments = path.split('/');
  const candidates = [
    // each segment decoded to bytes, re-encoded (`%2F` stays encoded, invalid UTF-8 kept as bytes)
    segments.map((s) => encodeBytes(percentDecode(s))).join('/'),
    // each segment decoded as UTF-8 (invalid sequences become U+FFFD), re-encoded
    segments.map((s) => uriEncode(percentDecode(s).toString('utf8'))).join('/'),
    // the whole path decoded, re-encoded with `/` kept (a decoded `%2F` becomes a separator)
    encodeBytes(percentDecode(path), false),
    // the path exactly as sent
    path,
  ];
  return [...new Set(candidates)];
}

/** Decodes %XX escapes to raw bytes; anything malformed is kept as it is. */
export function percentDecode(s: string): Buffer {
  const bytes: number[] = [];
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const hex = src.subarray(i + 1, i + 3).toString('latin1');
    if (src[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(src[i]!);
    }
  }
  return Buffer.from(bytes);
}

/** AWS UriEncode over raw bytes (which need not be valid UTF-8). */
function encodeBytes(bytes: Buffer, encodeSlash = true): string {
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(ch) || (ch === '/' && !encodeSlash)) out += ch;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
