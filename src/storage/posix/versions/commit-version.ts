/**
 * A write (PutObject, CopyObject, CompleteMultipartUpload) into a versioned bucket: the sealed staging file
 * becomes the new current version, and the version it replaces stays kept, with no data copied.
 *
 * Under the key's lock: settle (the current file is kept in the store), take an id after the newest, stamp
 * the staging file's record with it, link it into the store under a temporary name, rename it onto the path,
 * then give the link its version name. A crash before the rename leaves the previous state (the temporary
 * link is swept); after it, the file's record names a version newer than any kept, which resolves as current
 * and is linked by the next settle: never a kept version that was not current, never a current one lost.
 */
import { rename, unlink } from 'node:fs/promises';
import type { MetaRecord } from '../metadata/record.js';
import { errnoOf } from '../paths/errno.js';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { KEY_LOCK, type VersionsContext, type VersioningPolicy } from './context.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { readKeyState } from './key-state.js';
import { newestTaken } from './resolve.js';
import { entryName, tempPath, lockFileOf, versionsDirOf } from './layout.js';
import { keepCopy } from './keep.js';
import { removeEntry, settleKey } from './settle.js';
import { newVersionId, NULL_VERSION_ID } from './version-id.js';
import { stamped, type VersionStamp } from './version-record.js';

/** A sealed staging file to commit as the key's new current version. */
export interface VersionedWrite {
  key: string;
  segments: readonly string[];
  /** The staging file, sealed: its data and record are final but for the version. */
  staging: string;
  /** The record the staging file was sealed with. */
  record: MetaRecord;
  /**
   * Puts the staging file at the key's path (write/commit.ts commitStaged: conditions, parent directories,
   * ownership, the rename). Runs under the key's lock, so write conditions hold across gateways too.
   */
  place: () => Promise<void>;
  /**
   * Object lock (object-lock/): `write` records the new version's lock before it becomes current (a crash
   * never leaves a current version without its lock); `seal` runs once its kept entry has its name.
   */
  lock?: { write(dir: string, versionId: string): Promise<void>; seal(dir: string, entry: string, versionId: string): Promise<void> };
}

/** The outcome of a versioned write. */
export interface Committed {
  /** The new version's id (`null` when suspended): S3's x-amz-version-id. */
  versionId: string;
  /** Kept versions found overwritten in place on the way (to log). */
  lost: string[];
}

/** Commits `write` as the key's new current version (see the file comment for the steps and their crashes). */
export async function commitVersion(ctx: VersionsContext, write: VersionedWrite, policy: VersioningPolicy): Promise<Committed> {
  return withFileLock(lockFileOf(versionsDirOf(ctx.stateDir, write.segments)), async () => {
    const { state, lost } = await settleKey(ctx, await readKeyState(ctx, write.key, write.segments), policy);
    const seq = newVersionId(newestTaken(state));
    const stamp: VersionStamp = { id: policy.status === 'Suspended' ? NULL_VERSION_ID : seq, seq };
    const record = stamped(write.record, stamp);
    await ctx.store.write(write.staging, write.key, record);
    const pending = tempPath(state.dir);
    await keepCopy(ctx, write.key, write.staging, pending, record, state.dir);
    try {
      await write.lock?.write(state.dir, stamp.id);
      await write.place();
    } catch (e) {
      await unlink(pending).catch(() => {});
      throw e;
    }
    // ENOENT: our lock was taken over (we hung past STALE_MS) and the taker swept the temporary link. The file
    // at the path still resolves as this version, and the next settle keeps it.
    const entry = `${state.dir}/${entryName({ ...stamp, kind: 'data' })}`;
    await rename(pending, entry).catch((e: unknown) => {
      if (errnoOf(e) !== 'ENOENT') throw e;
    });
    await write.lock?.seal(state.dir, entry, stamp.id);
    // Suspended: the new `null` version replaces the one before (S3 keeps one null version).
    let removed = false;
    if (stamp.id === NULL_VERSION_ID) {
      for (const e of state.entries) {
        if (e.id === NULL_VERSION_ID) {
          await removeEntry(ctx, state, e);
          removed = true;
        }
      }
    }
    // The new version's own name in the store needs no fsync: lost in a crash (or left as the temporary name,
    // swept), the file at the path, already durable with its record, still resolves as this version and the next
    // settle links it again. What must not come back after a crash (a removed `null` version) or must be durable
    // for object lock is synced. Every link the path's rename depended on was synced by settleKey before it.
    if (ctx.fsync && (removed || write.lock)) await syncDir(state.dir);
    return { versionId: stamp.id, lost };
  }, KEY_LOCK);
}
