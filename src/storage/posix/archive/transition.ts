/**
 * Backend.transitionObject: one key's archive moves at a time across processes and hosts (a file lock), a dead
 * move of the key settled first, then the version's class changed (archive-object.ts).
 */
import { S3Error } from '../../../errors/s3-error.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { isArchiveClass, parseStorageClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { parseVersionId } from '../versions/version-id.js';
import { archiveVersion } from './archive-object.js';
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
export function checkStorageClass(bucket: Bucket, storageClass: string | undefined): void {
  if (storageClass === undefined) return;
  parseStorageClass(storageClass);
  if (isArchiveClass(storageClass)) tierDirOf(bucket, storageClass);
}

/** Gives `key`'s version `versionId` (the current one when undefined) the class `storageClass`. */
export async function transitionObject(bucket: Bucket, key: string, versionId: string | undefined, storageClass: string,
  signal?: AbortSignal): Promise<{ moved: boolean }> {
  bucket.assertWritable();
  checkStorageClass(bucket, storageClass);
  if (versionId !== undefined) parseVersionId(versionId);
  return withKeyLock(bucket, key, () => archiveVersion(bucket, key, versionId, storageClass, signal));
}
