/** The source of a copy (CopyObject, UploadPartCopy): opened as the request's identity reads, and checked. */
import { S3Error } from '../../../errors/s3-error.js';
import type { AsIdentity, ObjectInfo } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { openObject, type OpenedObject } from '../read/open-object.js';
import { infoOf } from '../read/read.js';

/**
 * Opens `key` in `bucket` for reading by `identity` (NoSuchKey when there is no such object), reads its info and
 * runs `checkSource` (the x-amz-copy-source-if-* conditions). The caller closes `opened.fh`.
 */
export async function openCopySource(bucket: Bucket, key: string, who: AsIdentity & { checkSource?: (info: ObjectInfo) => void }): Promise<{ opened: OpenedObject; info: ObjectInfo }> {
  const access = fsAccessFor(who.identity);
  const opened = await openObject(bucket, key, access && { access, read: true });
  if (!opened) throw new S3Error('NoSuchKey', undefined, { Key: key });
  try {
    const info = await infoOf(bucket, key, opened);
    if (!info) throw new S3Error('NoSuchKey', undefined, { Key: key });
    who.checkSource?.(info);
    return { opened, info };
  } catch (e) {
    await opened.fh.close();
    throw e;
  }
}
