/**
 * Read preconditions from request headers: If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since (and
 * their x-amz-copy-source-if-* twins), parsed once here; storage/conditions judges them.
 */
import { headerOf, type HeaderBag } from '../http/headers.js';
import { parseHttpDate } from '../http/http-date.js';
import type { ObjectInfo } from '../storage/backend.js';
import { parseEtagCondition } from '../storage/conditions/etag-match.js';
import { evaluateRead, type ReadConditions } from '../storage/conditions/read-conditions.js';
import { S3Error } from '../errors/s3-error.js';

/** The conditions of a GET or HEAD (prefix ''), or of a copy's source (prefix 'x-amz-copy-source-'). An unparsable date is ignored, as S3 does. */
export function readConditions(h: HeaderBag, prefix: '' | 'x-amz-copy-source-' = ''): ReadConditions {
  const ifMatch = headerOf(h, `${prefix}if-match` as const);
  const ifNoneMatch = headerOf(h, `${prefix}if-none-match` as const);
  const ifModifiedSince = parseHttpDate(headerOf(h, `${prefix}if-modified-since` as const));
  const ifUnmodifiedSince = parseHttpDate(headerOf(h, `${prefix}if-unmodified-since` as const));
  return {
    ...(ifMatch !== undefined ? { ifMatch: parseEtagCondition(ifMatch) } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: parseEtagCondition(ifNoneMatch) } : {}),
    ...(ifModifiedSince ? { ifModifiedSince } : {}),
    ...(ifUnmodifiedSince ? { ifUnmodifiedSince } : {}),
  };
}

/** The x-amz-copy-source-if-* conditions: every failure is 412 for a copy (S3 never answers 304 there). */
export function checkCopySource(h: HeaderBag, info: ObjectInfo): void {
  if (evaluateRead(readConditions(h, 'x-amz-copy-source-'), info) !== 'proceed') {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-copy-source-If-*' });
  }
}
