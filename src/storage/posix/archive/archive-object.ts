/**
 * Transitioning the object at a key's path: an archive class moves its data into the tier and leaves a stub
 * (move.ts, journaled), any other class is only recorded. Runs under the key's archive lock (transition.ts).
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3Error } from '../../../errors/s3-error.js';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { isArchiveClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { isStub, sameContent, type MetaRecord } from '../metadata/record.js';
import { openWithInfo } from '../read/read.js';
import { runMove } from './move.js';
import { makeStub } from './stub.js';
import { newTierName, tierDirOf, tierIsElsewhere, tierPath } from './tier.js';
import { verifiedCopy } from './verified-copy.js';

/** Moves (or records) the class of the object at `key`'s path; `moved` false when there was nothing to do. */
export async function archiveAtPath(bucket: Bucket, key: string, storageClass: string, signal?: AbortSignal): Promise<{ moved: boolean }> {
  const store = await bucket.store();
  const found = await openWithInfo(bucket, key);
  if (!found || found.opened.directory) {
    if (found) await found.opened.fh.close();
    throw new S3Error('NoSuchKey', undefined, { Key: key });
  }
  const { opened, info } = found;
  try {
    // Only a record written for this very content counts: a file replaced outside S3 starts afresh.
    const record: MetaRecord = found.record && sameContent(found.record, opened.stats) ? found.record
      : { v: 1, ino: String(opened.stats.ino), size: Number(opened.stats.size), mtimeNs: String(opened.stats.mtimeNs) };
    const current = record.storageClass ?? 'STANDARD';
    if (record.archive) {
      // In the tier already (a stub, or a restored copy whose data is there too): only the class may change.
      if (!isArchiveClass(storageClass)) {
        throw new S3Error('InvalidObjectState', `The object is archived (${current}): restore it and copy it to change it to ${storageClass}.`, { StorageClass: current });
      }
      if (current === storageClass) return { moved: false };
      await store.write(opened.path, key, { ...record, storageClass });
      return { moved: true };
    }
    if (!isArchiveClass(storageClass)) {
      if (current === storageClass) return { moved: false };
      // The ETag is written too, so that the record describes the content (a NAS-written file keeps its ETag).
      await store.write(opened.path, key, { ...record, etag: info.etag, storageClass });
      return { moved: true };
    }
    const tierDir = tierDirOf(bucket, storageClass);
    const name = newTierName();
    const file = tierPath(bucket, name);
    const fsync = bucket.settings.fsync;
    const outcome = await runMove(bucket, store, { id: name, key, kind: 'archive', fromIno: String(opened.stats.ino), file: name }, async (newPath) => {
      await mkdir(dirname(file), { recursive: true });
      await verifiedCopy(opened.fh, info.size, `${file}.part`, { fsync, verify: await tierIsElsewhere(bucket, tierDir), signal });
      // A NAS user writing into the file meanwhile: the copy is not the object; give up rather than archive it.
      const after = await opened.fh.stat({ bigint: true });
      if (after.size !== opened.stats.size || after.mtimeNs !== opened.stats.mtimeNs) {
        throw new S3Error('OperationAborted', `The object ${key} changed while it was being archived.`);
      }
      await rename(`${file}.part`, file);
      if (fsync) await syncDir(dirname(file));
      await makeStub(newPath, opened.stats, store, key, (st) => ({
        ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), etag: info.etag, storageClass,
        archive: { file: name, size: info.size },
      }), fsync);
    });
    return { moved: outcome === 'done' };
  } finally {
    await opened.fh.close();
  }
}

/** Whether a record stands for an archived object whose data is not in the tree (a stub). */
export { isStub };
