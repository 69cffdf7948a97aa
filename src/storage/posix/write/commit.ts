/** Putting a sealed staging file in place: conditions, parent directories, atomic rename, directory fsync. */
import { lstatSync, type BigIntStats } from 'node:fs';
import { link, lstat, rename, stat, unlink } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { Identity, WriteConditions } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { checkWrite } from '../../conditions/write-conditions.js';
import type { MetadataStore } from '../metadata/store.js';
import { objectInfo } from '../read/object-info.js';
import { newEntryOwner, ownNewFile } from '../paths/new-entry-owner.js';
import { openParent } from '../paths/parent-dir.js';
import { VANISHED_ATTEMPTS, waitBeforeRetry } from '../paths/vanished-retry.js';
import type { Staging } from './staging.js';
import { versioningOf, versionsContext, type BucketVersioning } from '../buckets/versioning.js';
import { commitVersion } from '../versions/commit-version.js';
import type { ObjectLock } from '../../object-lock.js';
import { lockForNewVersion, requireLock } from '../object-lock/bucket-lock.js';
import { sealVersion } from '../object-lock/enforcement.js';
import { writeVersionLock } from '../object-lock/version-lock.js';


/** Where a staging file is committed to. */
export interface CommitTarget {
  key: string;
  segments: string[];
  conditions?: WriteConditions;
  identity?: Identity;
  /** The lock the request asked for (x-amz-object-lock-*); a lock-enabled bucket's default applies without. */
  lock?: ObjectLock;
}

/**
 * Puts the sealed `staging` file at `key`, and in a versioned bucket keeps the version it replaces (versions/
 * commit-version.ts: under the key's lock, the placing below runs as its step 4). Returns the new version's id
 * in a versioned bucket (S3's x-amz-version-id), undefined in an unversioned one, which takes the path below alone.
 */
export async function commitStaged(bucket: Bucket, store: MetadataStore, staging: Staging, target: CommitTarget): Promise<string | undefined> {
  const versioning = await versioningOf(bucket);
  if (!versioning) {
    if (target.lock) await requireLock(bucket); // InvalidRequest: a lock asked of a bucket without
    await placeStaged(bucket, store, staging, target, undefined);
    return undefined;
  }
  return commitVersioned(bucket, store, staging, target, versioning);
}

async function commitVersioned(bucket: Bucket, store: MetadataStore, staging: Staging, target: CommitTarget, v: BucketVersioning): Promise<string> {
  if (!staging.record) throw new Error('commitStaged: the staging file is not sealed');
  const lock = await lockForNewVersion(bucket, target.lock);
  const ctx = versionsContext(bucket, store, v);
  const { versionId } = await commitVersion(ctx, {
    key: target.key, segments: target.segments, staging: staging.path, record: staging.record,
    place: () => placeStaged(bucket, store, staging, target, v),
    ...(lock ? {
      lock: {
        write: (dir: string, id: string) => writeVersionLock(dir, id, lock, bucket.settings.fsync),
        seal: (dir: string, entry: string, id: string) => sealVersion(bucket, ctx, { dir, entry, key: target.key, versionId: id }, lock),
      },
    } : {}),
  }, v.policy);
  return versionId;
}

/**
 * Renames the sealed `staging` file to `key` (segments `segments`). With ifNoneMatch '*' the target is
 * created atomically with link() (an existing key is PreconditionFailed); the conditions are checked against the
 * current object just before the rename (storage/conditions/write-conditions.ts). A directory, symlink or
 * special file at the target is a KeyConflict: nothing but a regular file is ever replaced.
 * With an `identity`, the kernel's rules for it apply (search down to the directory, write and search on it to
 * create, plus the sticky rule to replace), and the new file gets its owner, group, mode and inherited ACL.
 */
async function placeStaged(bucket: Bucket, store: MetadataStore, staging: Staging, target: CommitTarget,
  versioning: BucketVersioning | undefined): Promise<void> {
  const name = target.segments[target.segments.length - 1];
  const access = fsAccessFor(target.identity);
  const owner = await newEntryOwner(bucket, target.identity);
  // A concurrent delete (here, or through another gateway) may remove a gateway-made parent between our mkdir
  // and our rename: redo the parents, waiting out a distributed file system's caches (vanished-retry.ts).
  for (let attempt = 1; ; attempt++) {
    const parent = await openParent(bucket, target.segments, { create: true, store, access, owner }).catch((e: unknown) => {
      if (e instanceof S3Error && e.code === 'OperationAborted' && attempt < VANISHED_ATTEMPTS) return undefined;
      throw e;
    });
    if (!parent) {
      await waitBeforeRetry(attempt);
      continue;
    }
    try {
      const entry = `${parent.path}/${name}`;
      const current = await currentFile(bucket, entry, target.key);
      // The data is renamed into place: what counts is the directory (may_create, or may_delete of the old file).
      if (current) access?.remove(parent.dir, Number(current.uid));
      else access?.create(parent.dir);
      if (target.conditions) checkWrite(target.conditions, current && etagOf(current, target.key, store, entry), target.key);
      if (owner) await ownNewFile(staging.path, parent.dir, owner, bucket.quick);
      try {
        if (target.conditions?.ifNoneMatch === '*') {
          await link(staging.path, entry).catch((e: unknown) => {
            // Created meanwhile by another writer: the If-None-Match the check above could not yet see.
            if (errnoOf(e) === 'EEXIST') throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
            throw e;
          });
          staging.committed();
          await unlink(staging.path).catch(() => {});
        } else {
          await rename(staging.path, entry);
          staging.committed();
        }
      } catch (e) {
        // ENOENT: the parent directory was removed under us (a concurrent delete pruned it): try again.
        if (errnoOf(e) === 'ENOENT' && attempt < VANISHED_ATTEMPTS) {
          await waitBeforeRetry(attempt);
          continue;
        }
        throw asAccessDenied(e, 'writing the object');
      }
      if (bucket.settings.fsync) await parent.fh.sync();
      // The replaced inode's sidecar record (if any) is garbage now; its xattr went with it. Not in a versioned
      // bucket: there the replaced inode lives on as a kept version, with its record.
      if (current && !versioning) await store.forget(target.key, current.ino).catch(() => {});
      return;
    } finally {
      await parent.fh.close();
    }
  }
}

/** The regular file now at `entry`, or undefined if none; anything else there is a KeyConflict. */
async function currentFile(bucket: Bucket, entry: string, key: string): Promise<BigIntStats | undefined> {
  let st: BigIntStats;
  try {
    st = bucket.quick.sync ? bucket.quick.timed(() => lstatSync(entry, { bigint: true })) : await lstat(entry, { bigint: true });
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw asAccessDenied(e, 'looking up the object');
  }
  if (st.isFile()) return st;
  if (st.isDirectory()) {
    throw new S3Error('KeyConflict', `Cannot create '${key}': '${key}/' is a directory (a prefix that may hold objects).`);
  }
  if (st.isSymbolicLink()) {
    if (!bucket.settings.followSymlinks) {
      throw new S3Error('KeyConflict', `Cannot create '${key}': '${key}' is a symbolic link, which the gateway does not replace.`);
    }
    // A followed link is an object (its target's): the rename replaces the link itself, never the target.
    return await stat(entry, { bigint: true }).catch(() => undefined);
  }
  throw new S3Error('KeyConflict', `Cannot create '${key}': '${key}' is a special file.`);
}

function etagOf(st: BigIntStats, key: string, store: MetadataStore, entry: string): string {
  return objectInfo(key, st, store.read(entry, key, st.ino)).etag;
}
