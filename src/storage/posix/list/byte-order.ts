/** S3 key order: strings compared as their UTF-8 bytes, without encoding them. */

/**
 * Compares two strings in the order of their UTF-8 encodings (the same as code-point order), like
 * `Buffer.compare(Buffer.from(a), Buffer.from(b))` but without allocating. Returns <0, 0 or >0.
 */
export function compareUtf8(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 code units sort the surrogates (U+10000 and up) below U+E000..U+FFFF; UTF-8 puts them above.
    // Only that pair of ranges disagrees, so only it needs the swap.
    if (x >= 0xd800 && y >= 0xd800) {
      const xs = x <= 0xdfff;
      const ys = y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
    }
    return x - y;
  }
  return a.length - b.length;
}
