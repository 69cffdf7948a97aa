/**
 * The conditions of a conditional delete as the wire carries them: DeleteObject's If-Match,
 * x-amz-if-match-last-modified-time and x-amz-if-match-size headers, and a DeleteObjects <Object>'s ETag,
 * LastModifiedTime and Size elements. A value that does not parse is refused, never read as no condition.
 */
import { S3Error } from '../errors/s3-error.js';
import { headerOf, type HeaderBag } from '../http/headers.js';
import type { DeleteConditions } from '../storage/backend.js';
import { parseEtagCondition } from '../storage/conditions/etag-match.js';

function invalid(name: string, value: string): S3Error {
  return new S3Error('InvalidArgument', `Invalid ${name}: ${JSON.stringify(value)}.`, { ArgumentName: name, ArgumentValue: value });
}

/** Conditions from three optional texts (undefined: no such condition); undefined when there are none. */
function conditionsOf(names: [string, string, string], etag?: string, lastModified?: string, size?: string): DeleteConditions | undefined {
  if (etag === undefined && lastModified === undefined && size === undefined) return undefined;
  const c: DeleteConditions = {};
  if (etag !== undefined) c.ifMatch = parseEtagCondition(etag);
  if (lastModified !== undefined) {
    // HTTP-date (how the SDKs send the header) or ISO 8601 (how the XML carries it): Date.parse reads both.
    const ms = Date.parse(lastModified.trim());
    if (Number.isNaN(ms)) throw invalid(names[1], lastModified);
    c.lastModified = new Date(ms);
  }
  if (size !== undefined) {
    if (!/^\d{1,15}$/.test(size.trim())) throw invalid(names[2], size);
    c.size = Number(size.trim());
  }
  return c;
}

/** DeleteObject's conditions, from its headers. */
export function deleteConditionsOf(h: HeaderBag): DeleteConditions | undefined {
  return conditionsOf(['If-Match', 'x-amz-if-match-last-modified-time', 'x-amz-if-match-size'],
    headerOf(h, 'if-match'), headerOf(h, 'x-amz-if-match-last-modified-time'), headerOf(h, 'x-amz-if-match-size'));
}

/** One DeleteObjects entry's conditions, from the texts of its ETag, LastModifiedTime and Size elements. */
export function entryConditionsOf(etag?: string, lastModified?: string, size?: string): DeleteConditions | undefined {
  return conditionsOf(['ETag', 'LastModifiedTime', 'Size'], etag, lastModified, size);
}
