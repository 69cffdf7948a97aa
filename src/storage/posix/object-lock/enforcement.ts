/**
 * Who enforces a bucket's locks. 'file-system': the gateway runs as root on a file system with the immutable
 * attribute (ext4, XFS, Btrfs), and makes a locked version's kept entry immutable, so nobody on the NAS side
 * (root included, short of clearing the attribute) can change or remove it. 'gateway': every S3 path is refused
 * by the one check (deletable.ts), but a NAS user with write access to the internal state could still remove
 * a version's bytes. Probed once per bucket and process.
 */
import { lstat, rename, unlink } from 'node:fs/promises';
import type { LockEnforcement, ObjectLock } from '../../object-lock.js';
import type { VersionsContext } from '../versions/context.js';
import { keepCopy } from '../versions/keep.js';
import { tempPath } from '../versions/layout.js';
import type { Bucket } from '../buckets/bucket.js';
import { lockInForce } from './deletable.js';
import { canMakeImmutable, setImmutable } from './immutable.js';
import { scheduleLift, type VersionPlace } from './lift.js';

const probed = new WeakMap<Bucket, Promise<LockEnforcement>>();

/** How `bucket`'s locks are enforced on this host. */
export function lockEnforcement(bucket: Bucket): Promise<LockEnforcement> {
  let p = probed.get(bucket);
  if (!p) {
    p = bucket.access.readOnly
      ? Promise.resolve<LockEnforcement>('gateway')
      : bucket.ensureTmpDir().then((dir) => canMakeImmutable(dir)).then((yes): LockEnforcement => (yes ? 'file-system' : 'gateway'), () => 'gateway');
    probed.set(bucket, p);
  }
  return p;
}

/**
 * Makes the kept entry of a version immutable when its lock is in force and the bucket's file system enforces
 * locks; the lift is scheduled for when retention ends (lift.ts). An entry that shares its inode with another
 * name (a version kept as a hard link before lock was enabled: the file at the key's path, often) first gets an
 * inode of its own, wherever locks are enforced: the file at the path stays replaceable by a new version, and
 * a NAS rewrite of it in place cannot reach the locked bytes. Call under the key's lock.
 */
export async function sealVersion(bucket: Bucket, ctx: VersionsContext, where: VersionPlace, lock: ObjectLock): Promise<void> {
  if (!lockInForce(lock)) return;
  // Even where the gateway alone enforces: a NAS rewrite of the file at the path must not reach locked bytes.
  const st = await lstat(where.entry, { bigint: true });
  if (st.nlink > 1n) await ownInode(ctx, where, st.ino);
  if ((await lockEnforcement(bucket)) !== 'file-system') return;
  try {
    await setImmutable(where.entry, true);
  } catch (err) {
    // The version and its lock file are in place, and every S3 path refuses its removal: failing the request now
    // would tell the client its write did not happen when it did (a retry makes a second locked version), and
    // removing the version could lose a lock. So the write stands, locked by the gateway, and this is said loudly.
    bucket.settings.warn?.({ bucket: bucket.name, key: where.key, versionId: where.versionId, err },
      `object lock: version ${where.versionId} of '${where.key}' in bucket ${bucket.name} is enforced by the gateway only: the file system refused the immutable attribute`);
    return;
  }
  scheduleLift(where, lock);
}

async function ownInode(ctx: VersionsContext, where: VersionPlace, ino: bigint): Promise<void> {
  const record = await ctx.store.readAsync(where.entry, where.key, ino);
  const tmp = tempPath(where.dir);
  await keepCopy({ ...ctx, keep: 'copy' }, where.key, where.entry, tmp, record, where.dir);
  try {
    await rename(tmp, where.entry);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
