/**
 * RestoreObject in storage: under the key's archive lock, a stub is marked as being restored (the archive job
 * copies it back, restore-run.ts), a restored copy gets its expiry moved, anything else is refused as S3 does.
 */
import { S3Error } from '../../../errors/s3-error.js';
import { isArchiveClass, needsRestore } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { sameContent } from '../metadata/record.js';
import { openWithInfo } from '../read/read.js';
import { addEntry } from './index-files.js';
import { withKeyLock } from './transition.js';

/** When a restored copy asked for `days` now expires: S3 rounds up to the next midnight UTC; with short test days, the day's end. */
export function expiryAfter(bucket: Bucket, days: number, nowMs = Date.now()): Date {
  const dayMs = (bucket.settings.daySeconds ?? 86_400) * 1000;
  return new Date(Math.ceil((nowMs + days * dayMs) / dayMs) * dayMs);
}

/**
 * Starts a restore of `key` for `days` (true: 202), or moves a restored copy's expiry (false: 200).
 * InvalidObjectState when the object is not of an archive class that needs one; RestoreAlreadyInProgress.
 */
export async function requestRestore(bucket: Bucket, key: string, versionId: string | undefined, days: number): Promise<{ started: boolean }> {
  bucket.assertWritable();
  if (versionId !== undefined && versionId !== 'null') {
    throw new S3Error('NotImplemented', 'Restoring a version other than the current one is not available yet.');
  }
  return withKeyLock(bucket, key, async () => {
    const store = await bucket.store();
    const found = await openWithInfo(bucket, key);
    if (!found || found.opened.directory) {
      if (found) await found.opened.fh.close();
      throw new S3Error('NoSuchKey', undefined, { Key: key });
    }
    try {
      const { opened, info } = found;
      const record = found.record && sameContent(found.record, opened.stats) ? found.record : undefined;
      if (record && !record.archive && needsRestore(info.storageClass)) {
        // Written as GLACIER a moment ago, its data still on its way to the tier.
        throw new S3Error('OperationAborted', 'The object is being moved to the archive tier; try again in a moment.');
      }
      if (!record?.archive || !needsRestore(info.storageClass)) {
        throw new S3Error('InvalidObjectState', isArchiveClass(info.storageClass)
          ? `Restore is not allowed for the object's current storage class ${info.storageClass}: it is read straight from the archive tier.`
          : 'Restore is not allowed for the object\'s current storage class.', { StorageClass: info.storageClass });
      }
      const archive = record.archive;
      if (archive.restoredUntil !== undefined) {
        const until = expiryAfter(bucket, days);
        await store.write(opened.path, key, { ...record, archive: { ...archive, restoredUntil: until.toISOString() } });
        await addEntry(bucket, 'restored', { key, dueMs: until.getTime() });
        return { started: false };
      }
      if (archive.restoring) throw new S3Error('RestoreAlreadyInProgress');
      // The to-do entry first: a crash between the two leaves an entry the job drops, never a restore nobody runs.
      await addEntry(bucket, 'restores', { key });
      await store.write(opened.path, key, { ...record, archive: { ...archive, restoring: { days, since: new Date().toISOString() } } });
      return { started: true };
    } finally {
      await found.opened.fh.close();
    }
  });
}
