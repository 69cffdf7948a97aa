/** PutObject: body → staging file (hashed, verified) → record on the inode → atomic rename into place. */
import type { PutObjectInput, PutObjectResult } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { commitStaged } from './commit.js';
import { putDirectoryObject } from './dir-object.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { classOf, contentRecord } from '../metadata/record.js';
import { parseKey } from '../paths/paths.js';
import { receiveBody, type Received } from './receive.js';
import { Staging } from './staging.js';
import { verify } from './verify.js';
import { checkLockable } from '../object-lock/bucket-lock.js';

/** Writes an object atomically: readers see the old object or the new one, and a failure leaves no trace. */
export async function putObject(bucket: Bucket, input: PutObjectInput): Promise<PutObjectResult> {
  bucket.assertWritable();
  const { segments, dirObject } = parseKey(input.key);
  // Refused before the body is read: a lock asked of a bucket without, or a lock on a directory object.
  await checkLockable(bucket, input.lock, dirObject);
  if (dirObject) return putDirectoryObject(bucket, { ...input, segments });
  // Refused before the body is received when the identity could not create the file at all.
  fsAccessFor(input.identity)?.writeBelow(bucket.dir, segments.slice(0, -1));
  const store = await bucket.store();
  const staging = await Staging.create(bucket, store);
  try {
    const received = await receiveBody(input.body, staging.fh, {
      size: input.size, checksum: input.checksum?.algorithm, writeBack: bucket.settings.fsync,
    });
    const checksum = verify(received, input.contentMd5, input.checksum);
    const etag = received.md5.toString('hex');
    const { stats } = await staging.seal(input.key, (st) => contentRecord(st, etag, input.meta, { ...(checksum ? { checksum } : {}), ...attachmentsOf(input), ...classOf(input.storageClass) }),
      bucket.settings.fsync);
    const versionId = await commitStaged(bucket, store, staging, { key: input.key, segments, conditions: input.conditions, identity: input.identity, lock: input.lock });
    return { etag, lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)), ...(checksum ? { checksum } : {}), ...(versionId ? { versionId } : {}) };
  } finally {
    await staging.discard(); // after a commit there is nothing left to remove
  }
}
