/** The Range header of a GET: one byte range, parsed without throwing. */

export interface ByteRange { start: number; end: number }

/**
 * Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against an object of `size` bytes.
 * Returns null when the header is absent or not a single byte range (then the whole object is sent, as S3
 * does), 'unsatisfiable' when it cannot be served (416), else the inclusive range.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  let end = b === '' ? size - 1 : Number(b);
  if (b !== '' && end < start) return null;
  if (start >= size) return 'unsatisfiable';
  if (end >= size) end = size - 1;
  return { start, end };
}
