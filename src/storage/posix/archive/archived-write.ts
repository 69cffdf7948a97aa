/**
 * A write of an archive class (PutObject, CopyObject, CompleteMultipartUpload): committed in the tree with its
 * class recorded (so it reads as archived at once: GET refused), then moved into the tier before the answer.
 */
import { isArchiveClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { transitionObject } from './transition.js';

/** Moves the object just written at `key` into the tier when `storageClass` is an archive class; passes `result` on. */
export async function archivedAfter<R extends { versionId?: string }>(bucket: Bucket, key: string, storageClass: string | undefined, result: R): Promise<R> {
  if (isArchiveClass(storageClass)) await transitionObject(bucket, key, result.versionId, storageClass!);
  return result;
}
