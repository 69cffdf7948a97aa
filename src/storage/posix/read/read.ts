/** GetObject and HeadObject: an opened, verified file plus its info, and byte streams from it. */
import { Readable } from 'node:stream';
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectInfo, ReadHandle } from '../../backend.js';
import type { FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { FileBody } from './file-body.js';
import { objectInfo } from './object-info.js';
import { constants, lstatSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { MAX_ATTEMPTS, openObject, type OpenCheck, type OpenedObject } from './open-object.js';
import { versioningOf, versionsContext, type BucketVersioning } from '../buckets/versioning.js';
import { parseKey } from '../paths/paths.js';
import { currentVersionId, findVersion, latestVersion } from '../versions/find-version.js';
import { NULL_VERSION_ID, parseVersionId } from '../versions/version-id.js';
import type { VersionedRecord } from '../versions/version-record.js';
import { sameContent, type DirBody, type MetaRecord } from '../metadata/record.js';
import { bodyPath, bodyView, openBody } from './dir-body.js';
import { readableData } from '../archive/readable.js';
import { isObjectDirectory } from './directory-object.js';
import { swapMayHaveHidden } from '../archive/swap-mark.js';

/** An opened object, its info, and the record that info was made from (undefined: it has none). */
export interface OpenedWithInfo {
  opened: OpenedObject;
  info: ObjectInfo;
  record: MetaRecord | undefined;
}

/**
 * Opens `key` and reads its info as one consistent (stats, record) pair (record-pair.ts): the record is read by
 * path (xattrs cannot be read through the descriptor here), so unless it was written for the very content opened,
 * the key's path is looked at again, and when it names another inode now — a writer renamed a new file over the
 * key in between — the pair is thrown away and the key opened again. A file still being replaced after
 * MAX_ATTEMPTS is served without a record that is not its own: never one version's bytes with another's
 * metadata. Undefined when there is no object (a directory that holds keys is a prefix, not a key). GET, HEAD and the
 * sources of CopyObject and UploadPartCopy all read through here.
 */
export async function openWithInfo(bucket: Bucket, key: string, check?: OpenCheck): Promise<OpenedWithInfo | undefined> {
  const store = await bucket.store();
  for (let attempt = 1; ; attempt++) {
    const opened = await openAcrossSwaps(bucket, key, check);
    if (!opened) return undefined;
    let record: MetaRecord | undefined;
    try {
      const quick = bucket.quick;
      record = quick.sync ? quick.timed(() => store.read(opened.path, key, opened.stats.ino)) : await store.readAsync(opened.path, key, opened.stats.ino);
      // A record written for exactly this content is its own whatever happened to the path since.
      if (!opened.directory && !(record && sameContent(record, opened.stats)) && (await replacedSince(bucket, opened))) {
        if (attempt < MAX_ATTEMPTS) {
          await opened.fh.close();
          continue;
        }
        if (record && !sameContent(record, opened.stats)) record = undefined;
      }
    } catch (e) {
      await opened.fh.close();
      throw e;
    }
    // Through the descriptor: the emptiness is that of the directory opened, whatever is renamed meanwhile.
    if (opened.directory && !(await isObjectDirectory(`/proc/self/fd/${opened.fh.fd}`, record))) {
      await opened.fh.close();
      return undefined;
    }
    if (opened.directory && record?.body) {
      const withBody = await openDirBody(key, opened, record as MetaRecord & { body: DirBody }, check);
      if (withBody) return withBody;
      // Its body file is gone: an empty directory object now, not one with the bytes the record remembers.
      const { body: _b, etag: _e, checksum: _c, ...rest } = record;
      record = rest;
    }
    return { opened, info: objectInfo(key, opened.stats, record), record };
  }
}

/**
 * openObject, looking again when an archive move's swap may have emptied the path for an instant (swap-mark.ts): a
 * key being moved between the tree and the tier is never missing to the gateway's readers.
 */
async function openAcrossSwaps(bucket: Bucket, key: string, check?: OpenCheck): Promise<OpenedObject | undefined> {
  for (let tries = 0; ; tries++) {
    const opened = await openObject(bucket, key, check);
    if (opened || tries >= 2 || !(await swapMayHaveHidden(bucket, key, tries === 0))) return opened;
  }
}

/**
 * A directory object with bytes, opened as its body file (dir-body.ts): what reads, copies and GET's stream take
 * from `opened.fh` are its bytes. Undefined when the body file is gone (the directory is then read as an empty
 * directory object). Closes the directory's handle when it answers.
 */
async function openDirBody(key: string, opened: OpenedObject, record: MetaRecord & { body: DirBody }, check?: OpenCheck): Promise<OpenedWithInfo | undefined> {
  let body;
  try {
    body = await openBody(opened.fh);
    if (!body) return undefined;
    if (check?.read) check.access.read(bodyPath(opened.path), body.stats);
  } catch (e) {
    await body?.fh.close();
    await opened.fh.close();
    throw e;
  }
  await opened.fh.close();
  const info = objectInfo(key, body.stats, bodyView(record));
  info.isDirectoryObject = true;
  return { opened: { fh: body.fh, stats: body.stats, path: opened.path, directory: false }, info, record };
}

/** Whether the key's path now names another inode than the opened one. */
async function replacedSince(bucket: Bucket, opened: OpenedObject): Promise<boolean> {
  try {
    const now = bucket.quick.sync ? bucket.quick.timed(() => lstatSync(opened.path, { bigint: true })) : await lstat(opened.path, { bigint: true });
    return now.ino !== opened.stats.ino;
  } catch {
    return true;
  }
}

/**
 * Opens `key` for reading: NoSuchKey if there is no such object, AccessDenied when `access` (the request's
 * identity) may not search its directories or read it. The caller must close() the handle.
 */
export async function openForRead(bucket: Bucket, key: string, access?: FsAccess, versionId?: string): Promise<ReadHandle> {
  const found = await openVersion(bucket, key, access && { access, read: true }, versionId);
  await readableData(bucket, found);
  const { opened, info } = found;
  const size = info.size;
  let closed: Promise<void> | undefined;
  return {
    info,
    stream(range) {
      if (opened.directory || size === 0) return Readable.from([]);
      // The descriptor, not the path: the bytes come from the file that was checked, whatever is renamed later.
      return new FileBody(opened.fh, range?.start ?? 0, range?.end ?? size - 1, bucket.quick);
    },
    close() {
      closed ??= opened.fh.close();
      return closed;
    },
  };
}

/** HeadObject: the info of `key`, NoSuchKey if there is no such object; `access` needs search on its directories. */
export async function headObject(bucket: Bucket, key: string, access?: FsAccess, versionId?: string): Promise<ObjectInfo> {
  const found = await openVersion(bucket, key, access && { access, read: false }, versionId);
  await found.opened.fh.close();
  return found.info;
}

/**
 * Opens the current object of `key`, or its version `versionId`; in a versioned bucket its info carries its
 * version id. NoSuchKey (with `x-amz-delete-marker` when a delete marker is latest), NoSuchVersion, or for a
 * delete marker's id MethodNotAllowed, as S3 answers.
 */
export async function openVersion(bucket: Bucket, key: string, check: OpenCheck | undefined, versionId: string | undefined): Promise<{ opened: OpenedObject; info: ObjectInfo; record?: MetaRecord }> {
  if (versionId !== undefined) parseVersionId(versionId);
  const { segments, dirObject } = parseKey(key);
  const versioning = dirObject ? undefined : await versioningOf(bucket);
  if (!versioning) {
    // Without versioning every object is its one `null` version.
    if (versionId !== undefined && versionId !== NULL_VERSION_ID) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    const found = await openWithInfo(bucket, key, check);
    if (!found) throw new S3Error('NoSuchKey', undefined, { Key: key });
    return found;
  }
  const ctx = versionsContext(bucket, await bucket.store(), versioning);
  if (versionId === undefined) {
    const found = await openWithInfo(bucket, key, check);
    if (!found) {
      const latest = await latestVersion(ctx, key, segments, versioning.policy);
      if (latest?.kind === 'marker') throw new S3Error('NoSuchKey', undefined, { Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': latest.id });
      throw new S3Error('NoSuchKey', undefined, { Key: key });
    }
    const record = found.record as VersionedRecord | undefined;
    found.info.versionId = await currentVersionId(ctx, key, segments, { stats: found.opened.stats, record }, versioning.policy);
    return found;
  }
  return openKept(bucket, key, segments, check, versionId, versioning);
}

async function openKept(bucket: Bucket, key: string, segments: string[], check: OpenCheck | undefined, versionId: string,
  versioning: BucketVersioning): Promise<{ opened: OpenedObject; info: ObjectInfo; record?: MetaRecord }> {
  check?.access.search(bucket.dir, segments.slice(0, -1));
  const store = await bucket.store();
  const found = await findVersion(versionsContext(bucket, store, versioning), key, segments, versionId, versioning.policy);
  if (found.kind === 'marker') {
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against a delete marker.', { Method: 'GET', ResourceType: 'DeleteMarker' },
      { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId, 'Last-Modified': found.lastModified.toUTCString() });
  }
  const fh = await open(found.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (!fh) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId }); // deleted meanwhile
  try {
    const stats = await fh.stat({ bigint: true });
    if (stats.ino !== found.stats.ino) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    if (check?.read) check.access.read(found.path, stats);
    const info = objectInfo(key, stats, found.record);
    info.versionId = versionId;
    return { opened: { fh, stats, path: found.path, directory: false }, info, record: found.record };
  } catch (e) {
    await fh.close();
    throw e;
  }
}
