/** Preconditions (RFC 7232): pure functions from request headers and an object's ETag/date to a verdict. */
import { headerOf, type HeaderBag } from '../http/headers.js';
import type { ObjectInfo } from '../storage/backend.js';
import { S3Error } from '../errors/s3-error.js';
import { parseHttpDate } from '../http/http-date.js';

export type Verdict = 'proceed' | 'not-modified' | 'precondition-failed';

/** True when a header's list of entity tags (or `*`) matches `etag`. Weak tags compare by their opaque part. */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return tag === etag;
  });
}

/** HTTP dates have one-second resolution: compare whole seconds. */
function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/**
 * The GET/HEAD verdict in RFC 7232 section 6 order: If-Match, else If-Unmodified-Since (412); then
 * If-None-Match, else If-Modified-Since (304).
 */
export function evaluateRead(h: { ifMatch?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifUnmodifiedSince?: string }, info: Pick<ObjectInfo, 'etag' | 'lastModified'>): Verdict {
  if (h.ifMatch !== undefined) {
    if (!etagMatches(h.ifMatch, info.etag)) return 'precondition-failed';
  } else {
    const ius = parseHttpDate(h.ifUnmodifiedSince);
    if (ius && seconds(info.lastModified) > seconds(ius)) return 'precondition-failed';
  }
  if (h.ifNoneMatch !== undefined) {
    if (etagMatches(h.ifNoneMatch, info.etag)) return 'not-modified';
  } else {
    const ims = parseHttpDate(h.ifModifiedSince);
    if (ims && seconds(info.lastModified) <= seconds(ims)) return 'not-modified';
  }
  return 'proceed';
}


/** The read preconditions of a GET or HEAD request. */
export function readConditions(h: HeaderBag) {
  return {
    ifMatch: headerOf(h, 'if-match'),
    ifNoneMatch: headerOf(h, 'if-none-match'),
    ifModifiedSince: headerOf(h, 'if-modified-since'),
    ifUnmodifiedSince: headerOf(h, 'if-unmodified-since'),
  };
}

/** The x-amz-copy-source-if-* conditions: every failure is 412 for a copy (S3 never answers 304 there). */
export function checkCopySource(h: HeaderBag, info: ObjectInfo): void {
  const verdict = evaluateRead({
    ifMatch: headerOf(h, 'x-amz-copy-source-if-match'),
    ifNoneMatch: headerOf(h, 'x-amz-copy-source-if-none-match'),
    ifModifiedSince: headerOf(h, 'x-amz-copy-source-if-modified-since'),
    ifUnmodifiedSince: headerOf(h, 'x-amz-copy-source-if-unmodified-since'),
  }, info);
  if (verdict !== 'proceed') throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-copy-source-If-*' });
}
