/** Directory objects (keys ending in '/'): a directory with metadata, and bytes, of its own. */
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rmdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { S3Error } from '../../../errors/s3-error.js';
import { createChecksummer } from '../../../checksums/checksum.js';
import type { ChecksumAlgorithm, PutObjectInput, PutObjectResult } from '../../backend.js';
import { fsAccessFor, type FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { EMPTY_MD5 } from '../read/etag.js';
import { checkWrite } from '../../conditions/write-conditions.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { directoryRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';
import { newEntryOwner, ownNewDirectory, ownNewFile } from '../paths/new-entry-owner.js';
import { bodyPath, dirBodyOf, removeBody } from '../read/dir-body.js';
import { receiveBody, type Received } from './receive.js';
import { Staging } from './staging.js';
import { openParent } from '../paths/parent-dir.js';
import { pruneEmptyParents } from './prune.js';
import { isObjectDirectory } from '../read/directory-object.js';
import { verify } from './verify.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * PUT of a key ending in '/': makes the directory (and its parents) and marks it as a directory object with the
 * given metadata, and bytes when the body has any (read/dir-body.ts), received and verified before the tree is
 * touched. A file of the same name is a KeyConflict. An existing directory becomes a directory object; its
 * contents are untouched, its earlier bytes replaced (or removed, by an empty body).
 */
export async function putDirectoryObject(bucket: Bucket, input: PutObjectInput & { segments: string[] }): Promise<PutObjectResult> {
  const { key, segments } = input;
  const store = await bucket.store();
  // Bytes go to a staging file first, as any object's; an empty body (declared so) needs none.
  const staging = input.size === 0 ? undefined : await Staging.create(bucket, store);
  try {
    const received = staging
      ? await receiveBody(input.body, staging.fh, { size: input.size, checksum: input.checksum?.algorithm, writeBack: bucket.settings.fsync })
      : await receiveNothing(input.body, input.checksum?.algorithm);
    const checksum = verify(received, input.contentMd5, input.checksum);
    const etag = received.size > 0 ? received.md5.toString('hex') : EMPTY_MD5;
    const staged = received.size > 0 ? staging : undefined;
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
      // A directory that holds keys is no object yet: only a directory object has an ETag.
      checkWrite(input.conditions, isObject ? (before?.body && before.etag) || EMPTY_MD5 : undefined, key);
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
        const here = `/proc/self/fd/${dir.fd}`;
        let content: Parameters<typeof directoryRecord>[1]['content'];
        if (staged) {
          // In place before the record that names it: a reader sees the old bytes or the new, never a part.
          access?.create(`${parent.dir}/${name}`);
          if (owner) await ownNewFile(staged.path, `${parent.dir}/${name}`, owner);
          if (bucket.settings.fsync) await staged.fh.sync();
          await rename(staged.path, bodyPath(here)).catch((e: unknown) => {
            // A directory under the reserved name: this directory is another bucket's root, keeping its state there.
            if (['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(errnoOf(e) ?? '')) {
              throw new S3Error('InvalidRequest', `'${key}' cannot hold bytes: its directory holds another bucket's state.`);
            }
            throw e;
          });
          staged.committed();
          content = { etag, ...(checksum ? { checksum } : {}), body: dirBodyOf(await staged.fh.stat({ bigint: true })) };
        } else if (before?.body) {
          await removeBody(here);
        }
        await store.write(entry, key, directoryRecord(existing.ino, { meta: input.meta, made: made || before?.made === true, attachments: attachmentsOf(input), content }));
        if (bucket.settings.fsync) {
          await dir.sync();
          await parent.fh.sync();
        }
      } finally {
        await dir.close();
      }
      return { etag, lastModified: new Date(Number(existing.mtimeNs / 1_000_000n)), ...(checksum ? { checksum } : {}) };
    } finally {
      await parent.fh.close();
    }
  } finally {
    await staging?.discard();
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
    // Its bytes go with it, whether the directory goes too or stays a prefix.
    if (record?.body) {
      access?.create(`${parent.dir}/${segments[segments.length - 1]}`);
      await removeBody(entry);
    }
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

/** What an empty body declared so receives: nothing, or a refusal when bytes come after all. */
async function receiveNothing(body: Readable, algorithm: ChecksumAlgorithm | undefined): Promise<Received> {
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    if (chunk.length > 0) {
      body.destroy();
      throw new S3Error('BadDigest', 'The body is longer than its declared Content-Length of 0.');
    }
  }
  return { size: 0, md5: createHash('md5').digest(), ...(algorithm ? { checksum: createChecksummer(algorithm).digest() } : {}) };
}
