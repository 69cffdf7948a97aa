/**
 * A write of an archive class (PutObject, CopyObject, CompleteMultipartUpload): committed in the tree with its
 * class recorded (so it reads as archived at once: GET refused), then moved into the tier before the answer. The
 * key is noted in the `archiving` to-do list first, so a move a crash (or a failure) cut short is done by the
 * archive job (archive-work.ts) rather than left in the tree.
 */
import { S3Error } from '../../../errors/s3-error.js';
import { isArchiveClass } from '../../storage-class.js';
import { lockConfigOf } from '../object-lock/bucket-lock.js';
import { lockEnforcement } from '../object-lock/enforcement.js';
import type { Bucket } from '../buckets/bucket.js';
import { addEntry, removeEntry } from './index-files.js';
import { transitionObject } from './transition.js';

/** Runs the write `write` of `key`, then moves it into the tier when `storageClass` is an archive class. */
export async function archivedWrite<R extends { versionId?: string }>(bucket: Bucket, key: string, storageClass: string | undefined, write: () => Promise<R>): Promise<R> {
  // A directory object (key ending in '/') is empty: nothing to move.
  if (!isArchiveClass(storageClass) || key.endsWith('/')) return write();
  bucket.assertWritable(); // before the note: a read-only bucket answers AccessDenied, as the write would
  // A locked version's entry is immutable there: it could be written but never moved. Refused before the body.
  if ((await lockConfigOf(bucket)) && (await lockEnforcement(bucket)) === 'file-system') {
    throw new S3Error('NotImplemented', `The storage class ${storageClass} is not available in a bucket whose object locks the file system enforces.`);
  }
  await addEntry(bucket, 'archiving', { key });
  const result = await write();
  // With versioning, the version written: a newer one meanwhile must not leave it in the tree.
  const version = result.versionId !== undefined ? { key, versionId: result.versionId } : undefined;
  if (version) await addEntry(bucket, 'archiving', version);
  await transitionObject(bucket, key, result.versionId, storageClass!);
  if (version) await removeEntry(bucket, 'archiving', version);
  await removeEntry(bucket, 'archiving', { key });
  return result;
}
