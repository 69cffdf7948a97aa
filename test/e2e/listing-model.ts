/** A reference model of S3 listing (byte order, prefix, delimiter, start-after) that listing tests compare against. */

/** One listing entry: an object key or a common prefix, in the order S3 returns them merged. */
export type Entry = { key: string } | { prefix: string };

/** Compares two strings by their UTF-8 bytes, as S3 orders keys. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sorts keys in S3 order. */
export function s3Sort(keys: readonly string[]): string[] {
  return [...keys].sort(byteCompare);
}

/** What S3 lists for these keys: all pages together, objects and common prefixes merged in byte order. */
export function expectedListing(keys: readonly string[], o: { prefix?: string; delimiter?: string; startAfter?: string } = {}): Entry[] {
  const prefix = o.prefix ?? '';
  const out: Entry[] = [];
  const seen = new Set<string>();
  for (const key of s3Sort(keys)) {
    if (!key.startsWith(prefix)) continue;
    if (o.startAfter !== undefined && byteCompare(key, o.startAfter) <= 0) continue;
    if (o.delimiter) {
      const i = key.indexOf(o.delimiter, prefix.length);
      if (i >= 0) {
        const p = key.slice(0, i + o.delimiter.length);
        if (!seen.has(p)) {
          seen.add(p);
          out.push({ prefix: p });
        }
        continue;
      }
    }
    out.push({ key });
  }
  return out;
}

/** Merges one page's Contents and CommonPrefixes into byte order, the order S3 produced them in. */
export function mergePage(keys: readonly string[], prefixes: readonly string[]): Entry[] {
  const entries: Entry[] = [...keys.map((key) => ({ key })), ...prefixes.map((prefix) => ({ prefix }))];
  return entries.sort((a, b) => byteCompare('key' in a ? a.key : a.prefix, 'key' in b ? b.key : b.prefix));
}
