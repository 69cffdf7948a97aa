/**
 * A write that died between recording a new version's lock and making its kept entry immutable (kill -9 in a
 * Complete, a crash of the host): the lock file was written before the version became current (commit-version.ts),
 * so the gateway's check already holds; this puts the rest back, as the write would have: the version kept in the
 * store (settle), its entry an inode of its own, immutable where the file system enforces locks, the lift scheduled.
 */
import type { Bucket } from '../buckets/bucket.js';
import { versioningOf, versionsContext } from '../buckets/versioning.js';
import { parseKey } from '../paths/paths.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { KEY_LOCK } from '../versions/context.js';
import { readKeyState } from '../versions/key-state.js';
import { lockFileOf, versionsDirOf } from '../versions/layout.js';
import { settleKey } from '../versions/settle.js';
import { lockConfigOf } from './bucket-lock.js';
import { lockInForce } from './deletable.js';
import { sealVersion } from './enforcement.js';
import { readVersionLock } from './version-lock.js';

/** Applies the recorded lock of `key`'s current version again (idempotent; nothing in a bucket without lock). */
export async function resealCurrent(bucket: Bucket, key: string): Promise<void> {
  const { segments, dirObject } = parseKey(key);
  if (dirObject || !(await lockConfigOf(bucket, true))) return;
  const versioning = await versioningOf(bucket);
  if (!versioning) return;
  const ctx = versionsContext(bucket, await bucket.store(), versioning);
  const dir = versionsDirOf(ctx.stateDir, segments);
  await withFileLock(lockFileOf(dir), async () => {
    const { view, state } = await settleKey(ctx, await readKeyState(ctx, key, segments), versioning.policy);
    const top = view.versions[0];
    if (!top || top.kind !== 'data' || !top.entry) return;
    const lock = await readVersionLock(dir, top.id);
    if (lockInForce(lock)) await sealVersion(bucket, ctx, { dir: state.dir, entry: `${state.dir}/${top.entry.name}`, key, versionId: top.id }, lock);
  }, KEY_LOCK);
}
