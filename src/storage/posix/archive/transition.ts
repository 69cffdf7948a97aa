/**
 * Backend.transitionObject: one key's archive moves at a time across processes and hosts (a file lock), a dead
 * move of the key settled first, then the object's class changed (archive-object.ts).
 */
import { S3Error } from '../../../errors/s3-error.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { isArchiveClass, parseStorageClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { versioningOf } from '../buckets/versioning.js';
import { archiveAtPath } from './archive-object.js';
import { recoverKey } from './recover.js';
import { tierDirOf } from './tier.js';
import { keyLockOf } from './work-paths.js';

/** Runs `fn` holding `key`'s archive lock, after settling what a dead mover of the key left. */
export function withKeyLock<R>(bucket: Bucket, key: string, fn: () => Promise<R>): Promise<R> {
  return withFileLock(keyLockOf(bucket, key), async () => {
    await recoverKey(bucket, key);
    return fn();
  }, { makeDir: true, waitMs: 60_000, what: `archive moves of ${key}`, busy: () => new S3Error('OperationAborted', `Another archive move of ${key} is under way.`) });
}

/** Refuses early (before a body is read) a class this bucket cannot take. */
export async function checkStorageClass(bucket: Bucket, storageClass: string | undefined): Promise<void> {
  if (storageClass === undefined) return;
  parseStorageClass(storageClass);
  if (!isArchiveClass(storageClass)) return;
  tierDirOf(bucket, storageClass);
  if (await versioningOf(bucket)) {
    throw new S3Error('NotImplemented', `The storage class ${storageClass} is not available yet in a bucket with versioning.`);
  }
}

/** Gives the version (the current one: versions elsewhere are not handled yet) of `key` the class `storageClass`. */
export async function transitionObject(bucket: Bucket, key: string, versionId: string | undefined, storageClass: string,
  signal?: AbortSignal): Promise<{ moved: boolean }> {
  bucket.assertWritable();
  await checkStorageClass(bucket, storageClass);
  if (versionId !== undefined && versionId !== 'null') {
    throw new S3Error('NotImplemented', 'Transitioning a version other than the current one is not available yet.');
  }
  return withKeyLock(bucket, key, () => archiveAtPath(bucket, key, storageClass, signal));
}
