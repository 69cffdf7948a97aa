/**
 * Entity-tag conditions (If-Match, If-None-Match and their x-amz-copy-source-if-* twins): parsing a header's
 * list once, and the one comparison both read and write conditions use.
 */
import type { EtagCondition } from '../backend.js';

/** An ETag as a condition header carries it, without quotes or a weak prefix, for comparison. */
export function bareEtag(etag: string): string {
  let s = etag.trim();
  // Weak tags compare by their opaque part: S3 never makes weak ETags, so W/"x" can only mean ours.
  if (s.startsWith('W/')) s = s.slice(2);
  // S3 accepts ETags with both, one or no quotes (a lenient match clients rely on).
  if (s.startsWith('"')) s = s.slice(1);
  if (s.endsWith('"')) s = s.slice(0, -1);
  return s;
}

/** A header's value as a condition: `*` when any entry is `*`, else its comma-separated ETags, bare. */
export function parseEtagCondition(header: string): EtagCondition {
  const entries = header.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (entries.includes('*')) return '*';
  return entries.map(bareEtag);
}

/** Whether `condition` matches an object whose ETag is `etag` (quoted or not). */
export function matchesEtag(condition: EtagCondition, etag: string): boolean {
  return condition === '*' || condition.includes(bareEtag(etag));
}

/** Whether a header's list of entity tags (or `*`) matches `etag`: parse and match in one step. */
export function etagMatches(header: string, etag: string): boolean {
  return matchesEtag(parseEtagCondition(header), etag);
}
