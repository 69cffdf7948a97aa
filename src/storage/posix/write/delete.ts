/** DeleteObject: unlink the file (never through a symlinked directory), then prune empty gateway-made parents. */
import { lstat, unlink } from 'node:fs/promises';
import type { Identity } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { deleteDirectoryObject } from './dir-object.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { openParent } from '../paths/parent-dir.js';
import { parseKey } from '../paths/paths.js';
import { pruneEmptyParents } from './prune.js';

/**
 * Deletes `key`; no error when there is no such object (S3 semantics). Only a regular file (or, with
 * following on, a symlink itself) is ever unlinked: a directory, special file or unfollowed symlink at the
 * key is not an object, so there is nothing to delete. With an `identity`, the kernel's rules for it apply: search
 * down to the directory, write and search on it, and the sticky rule.
 */
export async function deleteObject(bucket: Bucket, key: string, identity?: Identity): Promise<void> {
  bucket.assertWritable();
  const { segments, dirObject } = parseKey(key);
  const store = await bucket.store();
  const access = fsAccessFor(identity);
  if (dirObject) return deleteDirectoryObject(bucket, store, key, segments, access);
  const parent = await openParent(bucket, segments, { create: false, store, access });
  if (!parent) return;
  try {
    const entry = `${parent.path}/${segments[segments.length - 1]}`;
    const st = await lstat(entry, { bigint: true }).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT') return undefined;
      throw asAccessDenied(e, 'looking up the object');
    });
    if (!st || !(st.isFile() || (st.isSymbolicLink() && bucket.settings.followSymlinks))) return;
    access?.remove(parent.dir, Number(st.uid));
    try {
      await unlink(entry);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return;
      throw asAccessDenied(e, 'deleting the object');
    }
    await store.forget(key, st.ino).catch(() => {});
    if (bucket.settings.fsync) await parent.fh.sync();
    await pruneEmptyParents(store, parent, segments, segments.length - 1, { access, bucketDir: bucket.dir });
  } finally {
    await parent.fh.close();
  }
}
