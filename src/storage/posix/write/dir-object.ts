/** Directory objects (keys ending in '/'): an empty directory with metadata of its own. */
import { constants } from 'node:fs';
import { lstat, mkdir, open, rmdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { S3Error } from '../../../errors/s3-error.js';
import { createChecksummer } from '../../../checksums/checksum.js';
import type { PutObjectInput, PutObjectResult } from '../../backend.js';
import { fsAccessFor, type FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { EMPTY_MD5 } from '../read/etag.js';
import { checkWrite } from '../../conditions/write-conditions.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { directoryRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';
import { newEntryOwner, ownNewDirectory } from '../paths/new-entry-owner.js';
import { openParent } from '../paths/parent-dir.js';
import { pruneEmptyParents } from './prune.js';
import { isObjectDirectory } from '../read/directory-object.js';
import { verify } from './verify.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * PUT of a key ending in '/': makes the directory (and its parents) and marks it as a directory object with
 * the given metadata. The body must be empty (InvalidRequest otherwise); a file of the same name is a
 * KeyConflict. An existing directory becomes a directory object; its contents are untouched.
 */
export async function putDirectoryObject(bucket: Bucket, input: PutObjectInput & { segments: string[] }): Promise<PutObjectResult> {
  const { key, segments } = input;
  if (input.size !== undefined && input.size > 0) throw notEmpty(key);
  await drainEmpty(input.body, key);
  const empty = { size: 0, md5: createHash('md5').digest(), checksum: input.checksum && createChecksummer(input.checksum.algorithm).digest() };
  const checksum = verify(empty, input.contentMd5, input.checksum);
  const store = await bucket.store();
  const access = fsAccessFor(input.identity);
  const owner = await newEntryOwner(bucket, input.identity);
  const parent = (await openParent(bucket, segments, { create: true, store, access, owner }))!;
  try {
    const name = segments[segments.length - 1];
    const entry = `${parent.path}/${name}`;
    let made = false;
    let existing = await lstat(entry, { bigint: true }).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT') return undefined;
      throw asAccessDenied(e, 'looking up the directory');
    });
    if (existing && !existing.isDirectory()) {
      const what = existing.isFile() ? 'an object (file)' : existing.isSymbolicLink() ? 'a symbolic link' : 'a special file';
      throw new S3Error('KeyConflict', `Cannot create '${key}': '${key.slice(0, -1)}' is ${what}.`);
    }
    const before = existing && store.read(entry, key, existing.ino);
    const isObject = existing !== undefined && (await isObjectDirectory(entry, before));
    // A directory that holds keys is no object yet: only a directory object has an ETag (that of no bytes).
    checkWrite(input.conditions, isObject ? EMPTY_MD5 : undefined, key);
    if (!existing) {
      access?.create(parent.dir);
      made = await mkdir(entry).then(() => true, (e: unknown) => {
        if (errnoOf(e) !== 'EEXIST') throw asAccessDenied(e, 'creating the directory');
        return false; // made meanwhile by another writer: theirs, as it is
      });
      if (made && owner) await ownNewDirectory(`${parent.dir}/${name}`, parent.dir, owner);
    } else {
      // Marking an existing directory sets metadata on it: write permission on it, as for setxattr.
      access?.write(`${parent.dir}/${name}`, existing);
    }
    // Open it (never through a symlink) so the record lands on exactly this directory.
    const dir = await open(entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW).catch((e: unknown) => {
      throw errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR' || errnoOf(e) === 'ELOOP'
        ? new S3Error('OperationAborted', `'${key}' changed during the request; please try again.`)
        : asAccessDenied(e, 'opening the directory');
    });
    try {
      existing = await dir.stat({ bigint: true });
      await store.write(entry, key, directoryRecord(existing.ino, { meta: input.meta, made: made || before?.made === true, attachments: attachmentsOf(input) }));
      if (bucket.settings.fsync) {
        await dir.sync();
        await parent.fh.sync();
      }
    } finally {
      await dir.close();
    }
    return { etag: EMPTY_MD5, lastModified: new Date(Number(existing.mtimeNs / 1_000_000n)), ...(checksum ? { checksum } : {}) };
  } finally {
    await parent.fh.close();
  }
}

/**
 * DELETE of a key ending in '/': removes the directory if it is empty, else only unmarks it (its contents stay
 * objects of their own). An empty folder made on the NAS is an object too, and goes the same way; a directory
 * that holds keys and was never written as one is a prefix, left alone. Then prunes empty gateway-made parents.
 * No error if there is no such directory object.
 */
export async function deleteDirectoryObject(bucket: Bucket, store: MetadataStore, key: string, segments: string[], access?: FsAccess): Promise<void> {
  const parent = await openParent(bucket, segments, { create: false, store, access });
  if (!parent) return;
  try {
    const entry = `${parent.path}/${segments[segments.length - 1]}`;
    const st = await lstat(entry, { bigint: true }).catch(() => undefined);
    if (!st?.isDirectory()) return;
    const record = store.read(entry, key, st.ino);
    const marked = record?.dirObject === true;
    if (!marked && !(await isObjectDirectory(entry, record))) return;
    access?.remove(parent.dir, Number(st.uid));
    try {
      await rmdir(entry);
    } catch (e) {
      // An unmarked folder gone or filled meanwhile: no object any more, nothing to do.
      if (!marked && ['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(errnoOf(e) ?? '')) return;
      if (errnoOf(e) !== 'ENOTEMPTY' && errnoOf(e) !== 'EEXIST') throw asAccessDenied(e, 'removing the directory');
      // Not empty: it stays as a plain directory, still removed later when it empties if the gateway made it.
      access?.write(`${parent.dir}/${segments[segments.length - 1]}`, st);
      await store.write(entry, key, directoryRecord(st.ino, { made: record?.made === true }));
      return;
    }
    if (record) await store.forget(key, st.ino).catch(() => {});
    if (bucket.settings.fsync) await parent.fh.sync();
    await pruneEmptyParents(store, parent, segments, segments.length - 1, { access, bucketDir: bucket.dir });
  } finally {
    await parent.fh.close();
  }
}

async function drainEmpty(body: Readable, key: string): Promise<void> {
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    if (chunk.length > 0) {
      body.destroy();
      throw notEmpty(key);
    }
  }
}

function notEmpty(key: string): S3Error {
  return new S3Error('InvalidRequest', `'${key}' ends in '/', so it is a directory object, which must have an empty body.`);
}
