/**
 * GetObjectRetention / GetObjectLegalHold and their Puts on the storage side: a version's lock read, or changed
 * under the key's lock (the version is kept first, as any write does), and the immutable attribute following it.
 * GET and HEAD show the lock of the version they answer (lockOfVersion).
 */
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectInfo, ObjectLock, ObjectRef } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { versioningOf, versionsContext } from '../buckets/versioning.js';
import { parseKey } from '../paths/paths.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import { headObject } from '../read/read.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { KEY_LOCK } from '../versions/context.js';
import { readKeyState } from '../versions/key-state.js';
import { lockFileOf, versionsDirOf } from '../versions/layout.js';
import { settleKey } from '../versions/settle.js';
import { lockConfigOf, requireLock } from './bucket-lock.js';
import { lockInForce } from './deletable.js';
import { sealVersion } from './enforcement.js';
import { isImmutable, setImmutable } from './immutable.js';
import { readVersionLock, writeVersionLock } from './version-lock.js';

/** The lock of the version `info` describes (GET, HEAD), when its bucket has object lock; `info` unchanged otherwise. */
export async function withLockOf(bucket: Bucket, key: string, info: ObjectInfo): Promise<ObjectInfo> {
  if (info.versionId === undefined || info.isDirectoryObject || !(await lockConfigOf(bucket))) return info;
  const lock = await readVersionLock(versionsDirOf(bucket.stateDir, parseKey(key).segments), info.versionId);
  if (lock.retention || lock.legalHold !== undefined) info.lock = lock;
  return info;
}

/** A version's lock (the current version's without a version id). InvalidRequest in a bucket without lock. */
export async function getVersionLock(bucket: Bucket, ref: ObjectRef): Promise<{ versionId?: string; lock: ObjectLock }> {
  await requireLock(bucket);
  const info = await headObject(bucket, ref.key, fsAccessFor(ref.identity), ref.versionId);
  if (info.versionId === undefined || info.isDirectoryObject) return { lock: {} };
  return { versionId: info.versionId, lock: await readVersionLock(versionsDirOf(bucket.stateDir, parseKey(ref.key).segments), info.versionId) };
}

/**
 * Changes a version's lock: `change` gets the lock in force and answers the new one, or throws (the rules are
 * the caller's: retention-change.ts). The file follows: made immutable while the lock holds (enforcement.ts),
 * released when it no longer does.
 */
export async function changeVersionLock(bucket: Bucket, ref: ObjectRef, change: (old: ObjectLock) => ObjectLock): Promise<{ versionId?: string }> {
  bucket.assertWritable();
  await requireLock(bucket, true);
  const versioning = await versioningOf(bucket);
  const { segments, dirObject } = parseKey(ref.key);
  // A directory object (`a/`) is the directory itself, which has no versions to keep: locking it would hold nothing.
  if (dirObject) throw new S3Error('NotImplemented', 'Object lock on a directory object (a key ending in \'/\') is not implemented: it has no versions to lock.');
  if (!versioning) throw new S3Error('InvalidRequest', 'Object lock applies to the versions of objects; this object has none to lock.');
  const info = await headObject(bucket, ref.key, fsAccessFor(ref.identity), ref.versionId);
  const versionId = info.versionId!;
  const ctx = versionsContext(bucket, await bucket.store(), versioning);
  const dir = versionsDirOf(ctx.stateDir, segments);
  return withFileLock(lockFileOf(dir), async () => {
    const { state } = await settleKey(ctx, await readKeyState(ctx, ref.key, segments), versioning.policy);
    const e = state.entries.find((x) => x.id === versionId);
    if (!e) throw new S3Error('NoSuchVersion', undefined, { Key: ref.key, VersionId: versionId }); // deleted meanwhile
    if (e.kind === 'marker') {
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against a delete marker.', { Method: 'PUT', ResourceType: 'DeleteMarker' });
    }
    const next = change(await readVersionLock(dir, versionId));
    await writeVersionLock(dir, versionId, next, bucket.settings.fsync);
    const entry = `${dir}/${e.name}`;
    if (lockInForce(next)) await sealVersion(bucket, ctx, { dir, entry, key: ref.key, versionId }, next);
    else if (process.getuid?.() === 0 && (await isImmutable(entry))) await setImmutable(entry, false);
    return { versionId };
  }, KEY_LOCK);
}
