/**
 * DeleteObject without a version id in a versioned bucket: a delete marker becomes current. The plain file is
 * removed first, then the marker written with the id a NAS delete would imply (impliedMarkerId): a crash
 * between the two reads exactly as the finished delete, with the same marker id.
 */
import { unlink } from 'node:fs/promises';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { errnoOf } from '../paths/errno.js';
import { KEY_LOCK, type VersionsContext, type VersioningPolicy } from './context.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { readKeyState } from './key-state.js';
import { entryName, lockFileOf, versionsDirOf } from './layout.js';
import { markerBody, removeEntry, settleKey, writeNew } from './settle.js';
import { impliedMarkerId, newVersionId, NULL_VERSION_ID } from './version-id.js';
import { newestTaken } from './resolve.js';

/** A delete marker to put. */
export interface MarkerInput {
  key: string;
  segments: readonly string[];
  /** S3's Owner of the marker: the requester. */
  owner?: string;
  /**
   * Removes the plain file at the key's path (write/delete.ts: the caller's permission checks, pruning of
   * emptied gateway-made directories). Default: unlink. Runs under the key's lock.
   */
  remove?: () => Promise<void>;
}

/** Puts a delete marker on the key; returns its id (`null` when suspended), S3's x-amz-version-id. */
export async function putDeleteMarker(ctx: VersionsContext, input: MarkerInput, policy: VersioningPolicy): Promise<{ versionId: string; lost: string[] }> {
  return withFileLock(lockFileOf(versionsDirOf(ctx.stateDir, input.segments)), async () => {
    const { state, lost } = await settleKey(ctx, await readKeyState(ctx, input.key, input.segments), policy);
    if (state.file) {
      await (input.remove ?? (() => unlink(state.path).catch((e: unknown) => {
        if (errnoOf(e) !== 'ENOENT') throw e;
      })))();
    }
    const after = newestTaken(state);
    const seq = after === undefined ? newVersionId() : impliedMarkerId(after);
    const id = policy.status === 'Suspended' ? NULL_VERSION_ID : seq;
    await writeNew(`${state.dir}/${entryName({ seq, id, kind: 'marker' })}`, markerBody({ owner: input.owner }));
    // Suspended: the null marker replaces the null version (S3 keeps one null version or marker).
    if (id === NULL_VERSION_ID) for (const e of state.entries) if (e.id === NULL_VERSION_ID) await removeEntry(ctx, state, e);
    if (ctx.fsync) await syncDir(state.dir);
    return { versionId: id, lost };
  }, KEY_LOCK);
}
