/**
 * Conditional deletes (S3, 2024): If-Match, x-amz-if-match-last-modified-time and x-amz-if-match-size on
 * DeleteObject, and the per-object ETag, LastModifiedTime and Size of DeleteObjects. Every condition given must
 * hold, or the delete is 412 PreconditionFailed and nothing is deleted; with no object there is nothing to
 * compare and the delete succeeds as any delete of a missing key does.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { DeleteConditions, ObjectInfo } from '../backend.js';
import { matchesEtag } from './etag-match.js';

/** Throws PreconditionFailed (naming the condition) unless `current` meets every condition; `current` undefined: no object. */
export function checkDelete(conditions: DeleteConditions | undefined, current: ObjectInfo | undefined): void {
  if (!conditions || !current) return;
  if (conditions.ifMatch !== undefined && !matchesEtag(conditions.ifMatch, current.etag)) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  }
  // Last-Modified goes on the wire in whole seconds: that is what a client can have read and send back.
  if (conditions.lastModified !== undefined && Math.floor(current.lastModified.getTime() / 1000) !== Math.floor(conditions.lastModified.getTime() / 1000)) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-if-match-last-modified-time' });
  }
  if (conditions.modifiedAt !== undefined && current.lastModified.getTime() !== conditions.modifiedAt.getTime()) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-if-match-last-modified-time' });
  }
  if (conditions.size !== undefined && current.size !== conditions.size) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'x-amz-if-match-size' });
  }
}
