/**
 * DeleteObject: unlink the file (never through a symlinked directory), then prune empty gateway-made parents.
 * In a versioned bucket: a delete marker, or the deletion of one version (versions/).
 */
import { lstat, rename, unlink } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { DeleteConditions, DeleteObjectResult, Identity } from '../../backend.js';
import { checkDelete } from '../../conditions/delete-conditions.js';
import { fsAccessFor, type FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { versioningOf, versionsContext } from '../buckets/versioning.js';
import type { MetadataStore } from '../metadata/store.js';
import { putDeleteMarker } from '../versions/delete-marker.js';
import { deleteVersion } from '../versions/delete-version.js';
import { NULL_VERSION_ID, parseVersionId } from '../versions/version-id.js';
import { deleteDirectoryObject } from './dir-object.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { openParent } from '../paths/parent-dir.js';
import { parseKey } from '../paths/paths.js';
import { pruneEmptyParents } from './prune.js';
import { putBack } from '../paths/put-back.js';
import { objectInfo } from '../read/object-info.js';
import { stagingName } from './staging.js';

/**
 * Deletes `key`; no error when there is no such object (S3 semantics). Only a regular file (or, with
 * following on, a symlink itself) is ever unlinked: a directory, special file or unfollowed symlink at the
 * key is not an object, so there is nothing to delete. With an `identity`, the kernel's rules for it apply: search
 * down to the directory, write and search on it, and the sticky rule.
 */
export async function deleteObject(bucket: Bucket, key: string, identity?: Identity, versionId?: string,
  opts: { owner?: string; bypassGovernance?: boolean; conditions?: DeleteConditions } = {}): Promise<DeleteObjectResult> {
  bucket.assertWritable();
  const { segments, dirObject } = parseKey(key);
  const store = await bucket.store();
  const access = fsAccessFor(identity);
  const versioning = dirObject ? undefined : await versioningOf(bucket);
  if (versionId !== undefined) parseVersionId(versionId);
  if (!versioning) {
    // Without versioning every object is its one `null` version; no other version exists.
    if (versionId !== undefined && versionId !== NULL_VERSION_ID) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    if (dirObject) await deleteDirectoryObject(bucket, store, key, segments, access);
    else await removeFile(bucket, store, key, segments, access, true, opts.conditions);
    return {};
  }
  const ctx = versionsContext(bucket, store, versioning);
  // Under the key's lock, with the same checks and pruning as an unversioned delete, but the inode's record
  // stays: the store keeps the inode (delete-version.ts forgets it when its last name goes).
  const remove = () => removeFile(bucket, store, key, segments, access, false);
  if (versionId === undefined) {
    const marker = await putDeleteMarker(ctx, { key, segments, remove, ...(opts.owner !== undefined ? { owner: opts.owner } : {}) }, versioning.policy);
    return { versionId: marker.versionId, deleteMarker: true };
  }
  const done = await deleteVersion(ctx, { key, segments, versionId, remove, bypassGovernance: opts.bypassGovernance }, versioning.policy);
  return { versionId, ...(done.deleteMarker ? { deleteMarker: true } : {}) };
}

/**
 * Unlinks the regular file of `key`, if any (forgetting its record with `forget`), and prunes emptied parents. With
 * `conditions`, only the file they describe: see takeIfSame.
 */
async function removeFile(bucket: Bucket, store: MetadataStore, key: string, segments: string[], access: FsAccess | undefined,
  forget: boolean, conditions?: DeleteConditions): Promise<void> {
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
      if (conditions && st.isFile()) {
        await takeIfSame(bucket, store, key, entry, conditions);
      } else await unlink(entry);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return;
      throw asAccessDenied(e, 'deleting the object');
    }
    if (forget) await store.forget(key, st.ino).catch(() => {});
    if (bucket.settings.fsync) await parent.fh.sync();
    await pruneEmptyParents(store, parent, segments, segments.length - 1, { access, bucketDir: bucket.dir });
  } finally {
    await parent.fh.close();
  }
}

/**
 * A conditional delete's unlink, atomic against writers: the file is renamed away (taking whatever is at the path at
 * that instant), and what was taken is checked against `conditions`; a file that fails them goes back (a newer one
 * put there meanwhile wins: put-back.ts) and the delete is PreconditionFailed. Checking first and unlinking after
 * would delete a file a writer (S3, or a NAS user) renamed over the key in between. ENOENT when nothing was there.
 * A crash between the rename and the put-back, in the rare case a writer got in, leaves that file in the bucket's
 * staging directory, whose sweep removes it.
 */
async function takeIfSame(bucket: Bucket, store: MetadataStore, key: string, entry: string, conditions: DeleteConditions): Promise<void> {
  const taken = `${await bucket.ensureTmpDir()}/${stagingName()}`;
  try {
    await rename(entry, taken);
  } catch (e) {
    // Another file system below the bucket's directory: the staging directory is not on it, check then unlink.
    if (errnoOf(e) !== 'EXDEV') throw e;
    await unlink(entry);
    return;
  }
  const st = await lstat(taken, { bigint: true });
  try {
    checkDelete(conditions, objectInfo(key, st, await store.readAsync(taken, key, st.ino)));
  } catch (e) {
    await putBack(taken, entry, true);
    throw e;
  }
  await unlink(taken);
}
