/**
 * A write of an archive class (PutObject, CopyObject, CompleteMultipartUpload): committed in the tree with its
 * class recorded (so it reads as archived at once: GET refused), then moved into the tier before the answer. The
 * key is noted in the `archiving` to-do list first, so a move a crash (or a failure) cut short is done by the
 * archive job (restore-run.ts) rather than left in the tree.
 */
import { isArchiveClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { addEntry, removeEntry } from './index-files.js';
import { transitionObject } from './transition.js';

/** Runs the write `write` of `key`, then moves it into the tier when `storageClass` is an archive class. */
export async function archivedWrite<R extends { versionId?: string }>(bucket: Bucket, key: string, storageClass: string | undefined, write: () => Promise<R>): Promise<R> {
  if (!isArchiveClass(storageClass)) return write();
  await addEntry(bucket, 'archiving', { key });
  const result = await write();
  await transitionObject(bucket, key, result.versionId, storageClass!);
  await removeEntry(bucket, 'archiving', { key });
  return result;
}
