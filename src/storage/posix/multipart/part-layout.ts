/** The part layout of a multipart object, compact in its metadata record: runs of equal part sizes, and checksums. */
import type { ObjectPart } from '../../backend.js';

/**
 * The stored form. Most uploads have N-1 equal parts and a shorter last one, so sizes are runs of
 * [size, count]: a 10,000-part object's sizes take a few bytes, and records stay small enough for an xattr.
 */
export interface StoredLayout {
  sizes: [number, number][];
  /** One base64 checksum per part, when the object's parts have them (the algorithm is the object's). */
  checksums?: string[];
}

/** The stored form of `parts`. */
export function encodeLayout(parts: readonly ObjectPart[]): StoredLayout {
  const sizes: [number, number][] = [];
  for (const p of parts) {
    const last = sizes[sizes.length - 1];
    if (last && last[0] === p.size) last[1]++;
    else sizes.push([p.size, 1]);
  }
  const withChecksums = parts.length > 0 && parts.every((p) => p.checksum !== undefined);
  return withChecksums ? { sizes, checksums: parts.map((p) => p.checksum!) } : { sizes };
}

/** The parts described by a stored layout; an inconsistent one (never written by us) gives undefined. */
export function decodeLayout(stored: StoredLayout | undefined): ObjectPart[] | undefined {
  if (!stored || !Array.isArray(stored.sizes)) return undefined;
  const parts: ObjectPart[] = [];
  for (const [size, count] of stored.sizes) {
    for (let i = 0; i < count && parts.length <= 10_000; i++) parts.push({ size });
  }
  if (stored.checksums) {
    if (stored.checksums.length !== parts.length) return undefined;
    stored.checksums.forEach((c, i) => (parts[i]!.checksum = c));
  }
  return parts;
}
