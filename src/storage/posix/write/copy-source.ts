/** The source of a copy (CopyObject, UploadPartCopy): opened as the request's identity reads, and checked. */
import { S3Error } from '../../../errors/s3-error.js';
import type { AsIdentity, ObjectInfo } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import type { OpenedObject } from '../read/open-object.js';
import { openVersion, openWithInfo } from '../read/read.js';
import { versioningOf } from '../buckets/versioning.js';
import { readableData } from '../archive/readable.js';

/**
 * Opens `key` in `bucket` for reading by `identity` (NoSuchKey when there is no such object), reads its info and
 * runs `checkSource` (the x-amz-copy-source-if-* conditions). The caller closes `opened.fh`.
 */
export async function openCopySource(bucket: Bucket, key: string, who: AsIdentity & { checkSource?: (info: ObjectInfo) => void; versionId?: string }): Promise<{ opened: OpenedObject; info: ObjectInfo }> {
  const access = fsAccessFor(who.identity);
  // A version named, or a versioned source bucket (the copy answers the source's version id): read.ts's way.
  // Else the current object as GET reads it: its info and the bytes opened are one file's, even mid-overwrite.
  const found = who.versionId !== undefined || (await versioningOf(bucket))
    ? await openVersion(bucket, key, access && { access, read: true }, who.versionId)
    : await openWithInfo(bucket, key, access && { access, read: true });
  if (!found) throw new S3Error('NoSuchKey', undefined, { Key: key });
  await readableData(bucket, found);
  try {
    who.checkSource?.(found.info);
    return found;
  } catch (e) {
    await found.opened.fh.close();
    throw e;
  }
}
