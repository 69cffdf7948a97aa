/**
 * Transitioning a version: an archive class moves its data into the tier and leaves a stub at each of its places
 * (places.ts; each a journaled move, move.ts), any other class is only recorded. The data is copied into the tier
 * once: a place already archived (a crash between two places) names the tier file the others then share. Runs
 * under the key's archive lock (transition.ts).
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3Error } from '../../../errors/s3-error.js';
import { writeJsonFile } from '../../../fsutil/json-file.js';
import { syncDir } from '../../../fsutil/sync-dir.js';
import type { TierRef } from './tier-gc.js';
import { isArchiveClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { errnoOf } from '../paths/errno.js';
import { movedFrom, runMove } from './move.js';
import { openPlace, withPlaces, type OpenPlace, type Place } from './places.js';
import { makeStub } from './stub.js';
import { newTierName, tierDirOf, tierIsElsewhere, tierPath } from './tier.js';
import { verifiedCopy } from './verified-copy.js';

/** Gives `key`'s version `versionId` (the current one when undefined) the class `storageClass`; `moved` false when nothing changed. */
export async function archiveVersion(bucket: Bucket, key: string, versionId: string | undefined, storageClass: string,
  signal?: AbortSignal): Promise<{ moved: boolean }> {
  return withPlaces(bucket, key, versionId, async (places) => {
    let moved = false;
    let file: string | undefined;
    for (const place of places) {
      const opened = await openPlace(bucket, key, place);
      if (!opened) {
        if (place.entry === undefined && places.length === 1) throw new S3Error('NoSuchKey', undefined, { Key: key });
        continue; // the path, gone meanwhile (a NAS delete): the entry is the version
      }
      try {
        const done = await archivePlace(bucket, key, place, opened, storageClass, file, signal).catch((e: unknown) => {
          // The immutable attribute of a locked version (object lock enforced by the file system).
          if (errnoOf(e) === 'EPERM') throw new S3Error('InvalidObjectState', `The version of ${key} is locked by the file system and cannot be moved.`);
          throw e;
        });
        moved ||= done.moved;
        file ??= done.file;
      } finally {
        await opened.fh.close();
      }
    }
    return { moved };
  });
}

/** One place of the version: its class changed, and for an archive class its data in the tier (`file`, when already there). */
async function archivePlace(bucket: Bucket, key: string, place: Place, opened: OpenPlace, storageClass: string, file: string | undefined,
  signal?: AbortSignal): Promise<{ moved: boolean; file?: string }> {
  const store = await bucket.store();
  const { record, info, stats } = opened;
  const current = record.storageClass ?? 'STANDARD';
  if (record.archive) {
    // In the tier already (a stub, or a restored copy whose data is there too): only the class may change.
    if (!isArchiveClass(storageClass)) {
      throw new S3Error('InvalidObjectState', `The object is archived (${current}): restore it and copy it to change it to ${storageClass}.`, { StorageClass: current });
    }
    if (current === storageClass) return { moved: false, file: record.archive.file };
    await store.write(place.path, key, { ...record, storageClass });
    return { moved: true, file: record.archive.file };
  }
  if (!isArchiveClass(storageClass)) {
    if (current === storageClass) return { moved: false };
    // The ETag is written too, so that the record describes the content (a NAS-written file keeps its ETag).
    await store.write(place.path, key, { ...record, etag: info.etag, storageClass });
    return { moved: true };
  }
  const tierDir = tierDirOf(bucket, storageClass);
  const name = file ?? newTierName();
  const data = tierPath(bucket, name);
  const fsync = bucket.settings.fsync;
  const outcome = await runMove(bucket, store, {
    id: newTierName(), key, kind: 'archive', ...movedFrom(stats), file: name, ...(file === undefined ? { madeFile: true } : {}),
    ...(place.entry !== undefined ? { place: place.entry } : {}),
  }, async (newPath) => {
    if (file === undefined) {
      await mkdir(dirname(data), { recursive: true });
      await verifiedCopy(opened.fh, info.size, `${data}.part`, { fsync, verify: await tierIsElsewhere(bucket, tierDir), signal });
      // A NAS user writing into the file meanwhile: the copy is not the object; give up rather than archive it.
      const after = await opened.fh.stat({ bigint: true });
      if (after.size !== stats.size || after.mtimeNs !== stats.mtimeNs) {
        throw new S3Error('OperationAborted', `The object ${key} changed while it was being archived.`);
      }
      // The ref first: a data file in the tier always says whose it is (tier-gc.ts).
      await writeJsonFile(`${data}.ref`, { key } satisfies TierRef, { fsync });
      await rename(`${data}.part`, data);
      if (fsync) await syncDir(dirname(data));
    }
    await makeStub(newPath, stats, store, key, (st) => ({
      ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), etag: info.etag, storageClass,
      archive: { file: name, size: info.size },
    }), fsync);
  });
  // Given up (a writer replaced the file): a copy this move made has left the tier again.
  return outcome === 'done' ? { moved: true, file: name } : { moved: false, ...(file !== undefined ? { file } : {}) };
}
