/** DeleteObject: unlink the file (never through a symlinked directory), then prune empty gateway-made parents. */
import { lstat, unlink } from 'node:fs/promises';
import type { Bucket } from './bucket.js';
import { deleteDirectoryObject } from './dir-object.js';
import { asAccessDenied, errnoOf } from './errno.js';
import { openParent } from './parent-dir.js';
import { parseKey } from './paths.js';
import { pruneEmptyParents } from './prune.js';

/**
 * Deletes `key`; no error when there is no such object (S3 semantics). Only a regular file (or, with
 * following on, a symlink itself) is ever unlinked: a directory, special file or unfollowed symlink at the
 * key is not an object, so there is nothing to delete.
 */
export async function deleteObject(bucket: Bucket, key: string): Promise<void> {
  bucket.assertWritable();
  const { segments, dirObject } = parseKey(key);
  const store = await bucket.store();
  if (dirObject) return deleteDirectoryObject(bucket, store, key, segments);
  const parent = await openParent(bucket, segments, { create: false, store });
  if (!parent) return;
  try {
    const entry = `${parent.path}/${segments[segments.length - 1]}`;
    const st = await lstat(entry, { bigint: true }).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT') return undefined;
      throw asAccessDenied(e, 'looking up the object');
    });
    if (!st || !(st.isFile() || (st.isSymbolicLink() && bucket.settings.followSymlinks))) return;
    try {
      await unlink(entry);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return;
      throw asAccessDenied(e, 'deleting the object');
    }
    await store.forget(key, st.ino).catch(() => {});
    if (bucket.settings.fsync) await parent.fh.sync();
    await pruneEmptyParents(store, parent, segments, segments.length - 1);
  } finally {
    await parent.fh.close();
  }
}
