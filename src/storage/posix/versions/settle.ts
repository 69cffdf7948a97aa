/**
 * Making the store agree with what S3 is told, under the key's lock: the current file is kept in the store
 * (a file found at the path gets its record and id first), an implied delete marker is written down, a
 * version rewritten in place is written down as lost, superseded and crash-left entries go. Every step is
 * idempotent and leaves a state that resolves to the same versions, so a crash anywhere is mended by the
 * next settle, by any gateway.
 */
import { lstat, open, unlink } from 'node:fs/promises';
import { KEY_LOCK, type VersionsContext, type VersioningPolicy } from './context.js';
import { readKeyState, type KeyState } from './key-state.js';
import { entryName, LOCK_NAME, lockFileOf, versionsDirOf, type Entry } from './layout.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { sweepLockAsides } from '../../../fsutil/lock-asides.js';
import { isExists, keepCopy } from './keep.js';
import { resolveVersions, type KeyView } from './resolve.js';
import { foundRecord, type VersionedRecord } from './version-record.js';
import { syncDir } from '../../../fsutil/sync-dir.js';

/** A key after settling: its state on disk, its versions, and the ids found lost on the way. */
export interface Settled {
  state: KeyState;
  view: KeyView;
  /** Versions whose bytes a NAS user overwrote in place (to log: they can no longer be served). */
  lost: string[];
}

/** Settles `state` (read under the key's lock). Returns the key as it now is. */
export async function settleKey(ctx: VersionsContext, state: KeyState, policy: VersioningPolicy): Promise<Settled> {
  let changed = false;
  const lost: string[] = [];
  if (state.rewritten) {
    // The name is kept as `.lost` (empty) so the id answers "lost", not "no such version".
    await writeNew(`${state.dir}/${entryName({ ...state.rewritten, kind: 'lost' })}`, '');
    await unlink(`${state.dir}/${state.rewritten.name}`).catch(() => {});
    lost.push(state.rewritten.id);
    changed = true;
  }
  const view = resolveVersions(state, policy);
  const top = view.versions[0];
  if (top?.where === 'path' && !top.entry) {
    const { stats, record } = state.file!;
    // The record first: should we die before the link, the file then resolves to this same version.
    let kept: VersionedRecord | undefined = record;
    if (top.found) {
      kept = foundRecord(stats, top);
      await ctx.store.write(state.path, state.key, kept);
    }
    await keepCopy(ctx, state.key, state.path, `${state.dir}/${entryName(top)}`, kept, state.dir).catch((e: unknown) => {
      if (!isExists(e)) throw e;
    });
    changed = true;
  } else if (top?.where === 'implied') {
    await writeNew(`${state.dir}/${entryName(top)}`, markerBody({}));
    changed = true;
  }
  // Only a writer holding the lock makes temporary names: any seen under the lock are a dead writer's.
  for (const name of state.temps) {
    await removeTemp(ctx, state, name);
    changed = true;
  }
  if (state.asides.length) await sweepLockAsides(state.dir, LOCK_NAME, { names: state.asides });
  for (const e of view.stale) {
    await removeEntry(ctx, state, e);
    changed = true;
  }
  if (!changed) return { state, view, lost };
  if (ctx.fsync) await syncDir(state.dir);
  const after = await readKeyState(ctx, state.key, state.segments);
  return { state: after, view: resolveVersions(after, policy), lost };
}

/** How long a reader waits for a key's lock to keep what it noticed: a busy key is kept by its writer anyway. */
const NOTICED_WAIT_MS = 2_000;

/**
 * Keeps the current file of a key that S3 is about to name (GET, HEAD, ListObjectVersions) when nothing has
 * kept it yet (a NAS-made file, or one from before versioning): once S3 has handed out its id, a NAS delete or
 * rename must not lose it. Best effort: a gateway that may not link the file (read-only mount, another owner)
 * still serves it under its derived id.
 */
export async function keepNoticed(ctx: VersionsContext, key: string, segments: string[], policy: VersioningPolicy): Promise<void> {
  await readSettled(ctx, key, segments, policy);
}

/**
 * The key read and settled under its lock: as no writer is leaving it (and with its current file kept, as
 * keepNoticed). Undefined when the lock cannot be had soon (a read-only mount, another owner, a busy writer).
 */
export async function readSettled(ctx: VersionsContext, key: string, segments: string[], policy: VersioningPolicy): Promise<Settled | undefined> {
  return withFileLock(lockFileOf(versionsDirOf(ctx.stateDir, segments)), async () => settleKey(ctx, await readKeyState(ctx, key, segments), policy),
    { ...KEY_LOCK, waitMs: NOTICED_WAIT_MS }).catch(() => undefined);
}

/** The JSON a delete marker file holds: who made it (S3's Owner of the marker). */
export function markerBody(marker: { owner?: string }): string {
  return JSON.stringify(marker.owner === undefined ? {} : { owner: marker.owner });
}

/** Creates the small file `path` holding `body`, unless it exists (a repeated settle). */
export async function writeNew(path: string, body: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (e) {
    if (isExists(e)) return;
    throw e;
  }
  try {
    await fh.writeFile(body);
  } finally {
    await fh.close();
  }
}

/**
 * Removes a dead writer's temporary name; its sidecar record too when it was the inode's last name (a clone being
 * made: its record was written before its link, keyed by the clone's inode, which no name will ever have again).
 */
async function removeTemp(ctx: VersionsContext, state: KeyState, name: string): Promise<void> {
  const path = `${state.dir}/${name}`;
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!(await unlink(path).then(() => true, () => false))) return;
  if (st?.isFile() && st.nlink === 1n) await ctx.store.forget(state.key, st.ino).catch(() => {});
}

/** Removes a kept entry; its sidecar record too when it held the last link to its inode. */
export async function removeEntry(ctx: VersionsContext, state: KeyState, e: Entry): Promise<void> {
  const path = `${state.dir}/${e.name}`;
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  await unlink(path).catch(() => {});
  if (st && st.nlink === 1n && e.kind === 'data') await ctx.store.forget(state.key, st.ino).catch(() => {});
}
