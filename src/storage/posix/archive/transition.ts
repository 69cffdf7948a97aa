/**
 * Backend.transitionObject: under the key's archive lock (key-lock.ts), the version's class changed
 * (archive-object.ts); and the early check of a class a write asks for.
 */
import { isArchiveClass, parseStorageClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { parseVersionId } from '../versions/version-id.js';
import { archiveVersion } from './archive-object.js';
import { withKeyLock } from './key-lock.js';
import { tierDirOf } from './tier.js';

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
