/**
 * PutObjectTagging, DeleteObjectTagging, PutObjectAcl: a new record on the object's inode, with its data untouched
 * (a record change is no content change: the ETag, mtime and any NAS user's view stay as they are).
 */
import type { BigIntStats } from 'node:fs';
import { link, lstat, unlink } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectAttachments, ObjectRef } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { sameContent, type MetaRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';
import { MAX_ATTEMPTS, openObject, type OpenedObject } from '../read/open-object.js';
import { isObjectDirectory } from '../read/directory-object.js';
import { Staging } from './staging.js';
import { parseKey } from '../paths/paths.js';
import { versioningOf, versionsContext } from '../buckets/versioning.js';
import { changeAttachments } from '../versions/attachments.js';
import { NULL_VERSION_ID, parseVersionId } from '../versions/version-id.js';

/**
 * Replaces the given attachments of `input.key` (of its version `input.versionId`, in a versioned bucket);
 * NoSuchKey when there is no such object, NoSuchVersion when there is no such version. Answers the version
 * changed, in a versioned bucket.
 */
export async function putObjectAttachments(bucket: Bucket, input: ObjectRef & ObjectAttachments): Promise<{ versionId?: string }> {
  bucket.assertWritable();
  if (input.versionId !== undefined) parseVersionId(input.versionId);
  const { segments, dirObject } = parseKey(input.key);
  const versioning = dirObject ? undefined : await versioningOf(bucket);
  if (!versioning) {
    if (input.versionId !== undefined && input.versionId !== NULL_VERSION_ID) throw new S3Error('NoSuchVersion', undefined, { Key: input.key, VersionId: input.versionId });
    await changeCurrent(bucket, input);
    return {};
  }
  const access = fsAccessFor(input.identity);
  access?.search(bucket.dir, segments.slice(0, -1));
  const store = await bucket.store();
  const versionId = await changeAttachments(versionsContext(bucket, store, versioning), {
    key: input.key, segments, versionId: input.versionId,
    checkWrite: access && ((path, stats) => access.write(path, stats)),
    apply: (record) => withAttachments({ ...(record ?? { v: 1 as const, ino: '' }) }, input),
    changeCurrent: () => changeCurrent(bucket, input),
  }, versioning.policy);
  return { versionId };
}

/** The change on the current file at the key's path: a new record on exactly the inode opened. */
async function changeCurrent(bucket: Bucket, input: ObjectRef & ObjectAttachments): Promise<void> {
  const store = await bucket.store();
  const access = fsAccessFor(input.identity);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const opened = await openObject(bucket, input.key, access && { access, read: false });
    if (!opened) break;
    try {
      const record = await store.readAsync(opened.path, input.key, opened.stats.ino);
      // A directory that holds keys is a prefix, not an object.
      if (opened.directory && !(await isObjectDirectory(`/proc/self/fd/${opened.fh.fd}`, record))) break;
      // Setting a user.* attribute takes write permission on the file, as the kernel decides it.
      access?.write(opened.path, opened.stats);
      if (await writeOnInode(bucket, store, opened, input.key, updated(record, opened, input))) return;
    } finally {
      await opened.fh.close();
    }
  }
  throw new S3Error('NoSuchKey', undefined, { Key: input.key });
}

/** `record` with those of `change`'s owner, grants and tags that are given. */
function withAttachments(record: MetaRecord, change: ObjectAttachments): MetaRecord {
  for (const k of ['owner', 'grants', 'tags'] as const) {
    if (change[k] === undefined) continue;
    delete record[k];
    Object.assign(record, attachmentsOf({ [k]: change[k] }));
  }
  return record;
}

/**
 * The record with `change` applied. A file changed outside S3 (the record describes other content) keeps only
 * its headers: its ETag, checksums and old attachments went with the content it was written for.
 */
function updated(record: MetaRecord | undefined, opened: OpenedObject, change: ObjectAttachments): MetaRecord {
  const st = opened.stats;
  const fresh = record && (opened.directory || sameContent(record, st));
  let next: MetaRecord;
  if (fresh) next = { ...record };
  else {
    const { etag: _e, checksum: _c, partsCount: _p, parts: _l, owner: _o, grants: _g, tags: _t, ...headers } = record ?? { v: 1 as const, ino: '' };
    next = { ...headers, v: 1, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) };
  }
  // An empty folder made on the NAS given tags or an ACL: from now on a directory object written as such.
  if (opened.directory) next.dirObject = true;
  return withAttachments(next, change);
}

/**
 * Writes `record` onto exactly the opened inode; false when the key now names another file (renamed over since
 * the open: the caller starts again with the new one). Why a hard link: xattrs are set by path, and a writer may
 * rename a new file over the key at any moment; a private name for the inode cannot be renamed over, so the
 * record can never land on the new file. Directories (never renamed over) and file systems without hard links
 * are written by path, checked before and after.
 */
async function writeOnInode(bucket: Bucket, store: MetadataStore, opened: OpenedObject, key: string, record: MetaRecord): Promise<boolean> {
  if (opened.directory || store.kind === 'sidecar') {
    // Sidecars are keyed by inode: a record for a replaced inode is garbage, never another file's record.
    await store.write(opened.path, key, record).catch((e: unknown) => {
      throw asAccessDenied(e, 'writing the object\'s metadata');
    });
    if (opened.directory || (await sameInode(opened.path, opened.stats))) return true;
    await store.forget(key, opened.stats.ino).catch(() => {});
    return false;
  }
  const alias = await Staging.freshPath(bucket);
  try {
    await link(opened.path, alias);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return false;
    if (!(await sameInode(opened.path, opened.stats))) return false;
    await store.write(opened.path, key, record).catch((err: unknown) => {
      throw asAccessDenied(err, 'writing the object\'s metadata');
    });
    return sameInode(opened.path, opened.stats);
  }
  try {
    if (!(await sameInode(alias, opened.stats))) return false;
    // ENOENT: the staging sweep took the alias for a stale staging file (it may be as old as the object): again.
    return await store.write(alias, key, record).then(() => true, (e: unknown) => {
      if (errnoOf(e) === 'ENOENT') return false;
      throw asAccessDenied(e, 'writing the object\'s metadata');
    });
  } finally {
    await unlink(alias).catch(() => {});
  }
}

async function sameInode(path: string, stats: BigIntStats): Promise<boolean> {
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  return st !== undefined && st.ino === stats.ino && st.dev === stats.dev;
}
