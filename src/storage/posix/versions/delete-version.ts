/**
 * DeleteObject with a version id: that version or delete marker goes for good. When it was current, the next
 * newest takes its place: a version is put back at the key's path (linked or cloned from the store), a marker
 * leaves the path empty. Orders that survive a crash: a current version leaves the store before the path
 * (should we die between, its file resolves as a commit not yet linked: the previous state); a current
 * marker leaves after the restored file is at the path (a marker older than a kept file at the path is stale).
 */
import { lstat, mkdir, rmdir, unlink } from 'node:fs/promises';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { errnoOf } from '../paths/errno.js';
import { KEY_LOCK, type VersionsContext, type VersioningPolicy } from './context.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { readKeyState, type KeyState } from './key-state.js';
import { lockFileOf, versionsDirOf, versionsRootOf } from './layout.js';
import { isExists, keepCopy, restoreTo } from './keep.js';
import type { VersionView } from './resolve.js';
import { removeEntry, settleKey } from './settle.js';
import type { VersionedRecord } from './version-record.js';
import { admitRemoval } from '../object-lock/version-guard.js';

/** A version to delete. */
export interface DeleteVersionInput {
  key: string;
  segments: readonly string[];
  /** A parsed id (version-id.ts parseVersionId): 'null' or one of ours. */
  versionId: string;
  /** Removes the plain file at the path when no version is left to show (default: unlink). */
  remove?: () => Promise<void>;
  /** The requester may bypass GOVERNANCE retention, and asked to (object-lock/deletable.ts). */
  bypassGovernance?: boolean;
}

/** What was deleted: nothing (no such version), a version, or a delete marker. */
export interface DeletedVersion {
  found: boolean;
  deleteMarker: boolean;
}

/** Deletes one version of a key (see the file comment). */
export async function deleteVersion(ctx: VersionsContext, input: DeleteVersionInput, policy: VersioningPolicy): Promise<DeletedVersion> {
  const dir = versionsDirOf(ctx.stateDir, input.segments);
  const done = await withFileLock(lockFileOf(dir), async () => {
    const { state, view } = await settleKey(ctx, await readKeyState(ctx, input.key, input.segments), policy);
    const lost = state.lost.find((e) => e.id === input.versionId);
    if (lost) {
      await unlink(`${state.dir}/${lost.name}`).catch(() => {});
      return { found: true, deleteMarker: false };
    }
    const at = view.versions.findIndex((v) => v.id === input.versionId);
    if (at < 0) return { found: false, deleteMarker: false };
    const v = view.versions[at];
    // Object lock: the one check every removal of a version's bytes goes through (AccessDenied while locked).
    const removed = v.kind === 'data'
      ? await admitRemoval(state.dir, `${state.dir}/${v.entry!.name}`, { key: input.key, versionId: v.id, bypassGovernance: input.bypassGovernance })
      : undefined;
    if (at > 0) await removeEntry(ctx, state, v.entry!);
    else if (v.kind === 'data') await deleteCurrentVersion(ctx, state, v, view.versions[1], input.remove);
    else await deleteCurrentMarker(ctx, state, v, view.versions[1]);
    await removed?.();
    if (ctx.fsync) await syncDir(state.dir);
    return { found: true, deleteMarker: v.kind === 'marker' };
  }, KEY_LOCK);
  await pruneVersionDirs(ctx, input.segments);
  return done;
}

async function deleteCurrentVersion(ctx: VersionsContext, state: KeyState, v: VersionView, next: VersionView | undefined,
  remove: (() => Promise<void>) | undefined): Promise<void> {
  const ino = state.file!.stats.ino;
  await removeEntry(ctx, state, v.entry!); // a clone's sidecar goes with it; a link's inode is still at the path
  if (next?.kind === 'data') {
    const from = `${state.dir}/${next.entry!.name}`;
    await restoreTo(ctx, state.key, from, state.path, await recordOf(ctx, state.key, from), state.dir);
  } else {
    await (remove ?? (() => unlink(state.path).catch((e: unknown) => {
      if (errnoOf(e) !== 'ENOENT') throw e;
    })))();
  }
  await ctx.store.forget(state.key, ino).catch(() => {}); // the inode is gone from both names
}

async function deleteCurrentMarker(ctx: VersionsContext, state: KeyState, v: VersionView, next: VersionView | undefined): Promise<void> {
  if (next?.kind === 'data') {
    const from = `${state.dir}/${next.entry!.name}`;
    await mkdir(state.path.slice(0, state.path.lastIndexOf('/')), { recursive: true });
    // A link, not a rename: a file a NAS user put at the path meanwhile stays, and is found as a newer version.
    await keepCopy(ctx, state.key, from, state.path, await recordOf(ctx, state.key, from), state.dir).catch((e: unknown) => {
      if (!isExists(e)) throw e;
    });
  }
  await unlink(`${state.dir}/${v.entry!.name}`).catch(() => {});
}

async function recordOf(ctx: VersionsContext, key: string, path: string): Promise<VersionedRecord | undefined> {
  const st = await lstat(path, { bigint: true });
  return (await ctx.store.readAsync(path, key, st.ino)) as VersionedRecord | undefined;
}

/**
 * Removes the key's directory of versions once empty, and the mirrored directories above it that emptied.
 * Outside the lock: a writer arriving meanwhile makes the directory again (its lock is taken with makeDir).
 */
export async function pruneVersionDirs(ctx: VersionsContext, segments: readonly string[]): Promise<void> {
  const root = versionsRootOf(ctx.stateDir);
  let dir = versionsDirOf(ctx.stateDir, segments);
  while (dir.length > root.length) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (other versions, other keys below), or gone
    }
    dir = dir.slice(0, dir.lastIndexOf('/'));
  }
}
