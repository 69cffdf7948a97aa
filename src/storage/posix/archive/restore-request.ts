/**
 * RestoreObject in storage: under the key's archive lock, a stub is marked as being restored (the archive job
 * copies it back, restore-run.ts), a restored copy gets its expiry moved, anything else is refused as S3 does.
 * Every place of the version (places.ts) is marked alike: HEAD of the key and of its version id agree.
 */
import { S3Error } from '../../../errors/s3-error.js';
import { isArchiveClass, needsRestore } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import type { MetaRecord } from '../metadata/record.js';
import { parseVersionId } from '../versions/version-id.js';
import { addEntry } from './index-files.js';
import { openPlace, withPlaces } from './places.js';
import { withKeyLock } from './transition.js';

/** When a restored copy asked for `days` now expires: S3 rounds up to the next midnight UTC; with short test days, the day's end. */
export function expiryAfter(bucket: Bucket, days: number, nowMs = Date.now()): Date {
  const dayMs = (bucket.settings.daySeconds ?? 86_400) * 1000;
  return new Date(Math.ceil((nowMs + days * dayMs) / dayMs) * dayMs);
}

/**
 * Starts a restore of `key`'s version for `days` (true: 202), or moves a restored copy's expiry (false: 200).
 * InvalidObjectState when the object is not of an archive class that needs one; RestoreAlreadyInProgress.
 */
export async function requestRestore(bucket: Bucket, key: string, versionId: string | undefined, days: number): Promise<{ started: boolean }> {
  bucket.assertWritable();
  if (versionId !== undefined) parseVersionId(versionId);
  return withKeyLock(bucket, key, () => withPlaces(bucket, key, versionId, async (places, resolved) => {
    const store = await bucket.store();
    const found: { path: string; record: MetaRecord }[] = [];
    for (const place of places) {
      const opened = await openPlace(bucket, key, place);
      if (!opened) continue;
      await opened.fh.close();
      found.push({ path: place.path, record: opened.record });
    }
    // The version's own place (its entry, or the key's path without versioning) speaks for it.
    const first = found[0];
    if (!first) throw new S3Error('NoSuchKey', undefined, { Key: key });
    const { record } = first;
    const cls = record.storageClass ?? 'STANDARD';
    if (!record.archive && needsRestore(cls)) {
      // Written as GLACIER a moment ago, its data still on its way to the tier.
      throw new S3Error('OperationAborted', 'The object is being moved to the archive tier; try again in a moment.');
    }
    if (!record.archive || !needsRestore(cls)) {
      throw new S3Error('InvalidObjectState', isArchiveClass(cls)
        ? `Restore is not allowed for the object's current storage class ${cls}: it is read straight from the archive tier.`
        : 'Restore is not allowed for the object\'s current storage class.', { StorageClass: cls });
    }
    // The version found, not `current`: a newer write meanwhile must not leave this one restoring for ever.
    const entry = { key, ...(resolved !== undefined ? { versionId: resolved } : {}) };
    if (record.archive.restoredUntil !== undefined) {
      const until = expiryAfter(bucket, days);
      for (const f of found) {
        if (f.record.archive?.restoredUntil !== undefined) await store.write(f.path, key, { ...f.record, archive: { ...f.record.archive, restoredUntil: until.toISOString() } });
      }
      await addEntry(bucket, 'restored', { ...entry, dueMs: until.getTime() });
      return { started: false };
    }
    if (record.archive.restoring) throw new S3Error('RestoreAlreadyInProgress');
    // The to-do entry first: a crash between the two leaves an entry the job drops, never a restore nobody runs.
    await addEntry(bucket, 'restores', entry);
    const restoring = { days, since: new Date().toISOString() };
    for (const f of found) {
      if (f.record.archive) await store.write(f.path, key, { ...f.record, archive: { ...f.record.archive, restoring } });
    }
    return { started: true };
  }));
}
