/**
 * SigV4 URI encoding (the `UriEncode` of AWS's canonical request rules): every byte except the unreserved
 * characters A-Z a-z 0-9 - _ . ~ becomes %XX with upper-case hex; '/' is kept only in paths.
 * Percent-decoding goes the other way, to bytes, so that a request can be re-encoded the AWS way whatever
 * the client's own encoding choices were.
 */

const HEX = '0123456789ABCDEF';

/** Lookup: 1 for bytes that stay as they are. */
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[c.charCodeAt(0)] = 1;

/** Encode bytes per the AWS rules; with keepSlash, '/' stays (paths), otherwise it is %2F (query). */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (UNRESERVED[b] || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** Encode a string (as UTF-8) per the AWS rules. */
export function uriEncode(s: string, keepSlash: boolean): string {
  return uriEncodeBytes(Buffer.from(s, 'utf8'), keepSlash);
}

/**
 * The bytes a string stands for. Node hands over request targets and header values with one char per
 * received byte (latin1); a string holding any char above 0xFF cannot be that, so it is taken as text
 * and encoded as UTF-8.
 */
export function bytesOf(s: string): Buffer {
  return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8') : Buffer.from(s, 'latin1');
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decode to bytes. A '%' not followed by two hex digits stays a literal '%' (it is then
 * re-encoded as %25, as a client that never decoded it would have signed it). With plusIsSpace, '+'
 * decodes to a space (form encoding); otherwise it is a literal '+'.
 */
export function percentDecodeToBytes(s: string, plusIsSpace = false): Buffer {
  const src = bytesOf(s);
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]);
      const lo = hexValue(src[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = plusIsSpace && b === 0x2b ? 0x20 : b;
  }
  return out.subarray(0, n);
}
