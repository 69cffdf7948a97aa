/** GetObject and HeadObject: an opened, verified file plus its info, and byte streams from it. */
import { Readable } from 'node:stream';
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectInfo, ReadHandle } from '../../backend.js';
import type { FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { FileBody } from './file-body.js';
import { objectInfo } from './object-info.js';
import { lstat } from 'node:fs/promises';
import { MAX_ATTEMPTS, openObject, type OpenCheck, type OpenedObject } from './open-object.js';

/**
 * The info of an opened object, reading its record (validated against the descriptor's stats); undefined for
 * a directory that is not a directory object (a plain directory is a prefix, not a key).
 */
export async function infoOf(bucket: Bucket, key: string, opened: OpenedObject): Promise<ObjectInfo | undefined> {
  const store = await bucket.store();
  const record = await store.readAsync(opened.path, key, opened.stats.ino);
  if (opened.directory && !record?.dirObject) return undefined;
  return objectInfo(key, opened.stats, record);
}

/**
 * Opens `key` and reads its info, consistently: the record is read by path (xattrs cannot be read through the
 * descriptor here), so when it belongs to another inode than the one opened — a writer renamed a new file over
 * the key in between — the pair is thrown away and the key opened again. Undefined when there is no object.
 */
async function openWithInfo(bucket: Bucket, key: string, check?: OpenCheck): Promise<{ opened: OpenedObject; info: ObjectInfo } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const opened = await openObject(bucket, key, check);
    if (!opened) return undefined;
    let info: ObjectInfo | undefined;
    try {
      info = await infoOf(bucket, key, opened);
      if (attempt < MAX_ATTEMPTS && !opened.directory && (await replacedSince(opened))) {
        await opened.fh.close();
        continue;
      }
    } catch (e) {
      await opened.fh.close();
      throw e;
    }
    if (!info) {
      await opened.fh.close();
      return undefined;
    }
    return { opened, info };
  }
}

/** Whether the key's path now names another inode than the opened one. */
async function replacedSince(opened: OpenedObject): Promise<boolean> {
  try {
    return (await lstat(opened.path, { bigint: true })).ino !== opened.stats.ino;
  } catch {
    return true;
  }
}

/**
 * Opens `key` for reading: NoSuchKey if there is no such object, AccessDenied when `access` (the request's
 * identity) may not search its directories or read it. The caller must close() the handle.
 */
export async function openForRead(bucket: Bucket, key: string, access?: FsAccess): Promise<ReadHandle> {
  const found = await openWithInfo(bucket, key, access && { access, read: true });
  if (!found) throw new S3Error('NoSuchKey', undefined, { Key: key });
  const { opened, info } = found;
  const size = info.size;
  let closed: Promise<void> | undefined;
  return {
    info,
    stream(range) {
      if (opened.directory || size === 0) return Readable.from([]);
      // The descriptor, not the path: the bytes come from the file that was checked, whatever is renamed later.
      return new FileBody(opened.fh, range?.start ?? 0, range?.end ?? size - 1);
    },
    close() {
      closed ??= opened.fh.close();
      return closed;
    },
  };
}

/** HeadObject: the info of `key`, NoSuchKey if there is no such object; `access` needs search on its directories. */
export async function headObject(bucket: Bucket, key: string, access?: FsAccess): Promise<ObjectInfo> {
  const found = await openWithInfo(bucket, key, access && { access, read: false });
  if (!found) throw new S3Error('NoSuchKey', undefined, { Key: key });
  await found.opened.fh.close();
  return found.info;
}
