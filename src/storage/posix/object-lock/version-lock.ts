/**
 * Where a version's lock lives: `<id>.worm`, a small JSON file beside the version's kept entry in the key's
 * directory of versions (`<bucket>/.dirbucket/versions/<key…>/.dirbucket/`). There, in the bucket's internal state,
 * a NAS user cannot reach it (a user.* xattr on the file would be the file owner's to strip), it moves with the
 * version's directory, and it is read and written under the key's lock like the versions beside it. Written
 * atomically (a temporary file renamed over it), mode 0600: a reader sees the old lock or the new, never half.
 */
import { readFile, unlink } from 'node:fs/promises';
import { writeFileAtomic } from '../../../fsutil/atomic-write.js';
import type { ObjectLock } from '../../object-lock.js';
import { errnoOf } from '../paths/errno.js';

/** The suffix of lock files: `<id>.worm` (no version's entry name ends so: layout.ts ignores them). */
export const LOCK_SUFFIX = '.worm';

/** The lock file of version `versionId` in the key's directory of versions `dir`. */
export function lockFileOf(dir: string, versionId: string): string {
  return `${dir}/${versionId}${LOCK_SUFFIX}`;
}

/** The lock of a version: `{}` when none was ever set (or the file is unreadable as a lock: never treated as unlocked silently). */
export async function readVersionLock(dir: string, versionId: string): Promise<ObjectLock> {
  let text: string;
  try {
    text = await readFile(lockFileOf(dir, versionId), 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return {};
    throw e;
  }
  return parseLock(text);
}

// A damaged lock file must not unlock a version: it reads as a legal hold, which only an explicit OFF lifts.
function parseLock(text: string): ObjectLock {
  try {
    const v = JSON.parse(text) as ObjectLock;
    const lock: ObjectLock = {};
    const r = v.retention;
    if (r) {
      if ((r.mode !== 'GOVERNANCE' && r.mode !== 'COMPLIANCE') || Number.isNaN(Date.parse(r.retainUntil))) throw new Error('bad retention');
      lock.retention = { mode: r.mode, retainUntil: r.retainUntil };
    }
    if (typeof v.legalHold === 'boolean') lock.legalHold = v.legalHold;
    return lock;
  } catch {
    return { legalHold: true };
  }
}

/**
 * Writes a version's lock file (a legal hold set OFF is kept as OFF: GetObjectLegalHold answers it), or removes it
 * when nothing was ever set. Call under the key's lock.
 */
export async function writeVersionLock(dir: string, versionId: string, lock: ObjectLock, fsync: boolean): Promise<void> {
  if (!lock.retention && lock.legalHold === undefined) return removeVersionLock(dir, versionId);
  const body: ObjectLock = { ...(lock.retention ? { retention: lock.retention } : {}), ...(lock.legalHold !== undefined ? { legalHold: lock.legalHold } : {}) };
  await writeFileAtomic(lockFileOf(dir, versionId), JSON.stringify(body), { fsync, syncDir: fsync, mode: 0o600 });
}

/** Removes a version's lock file (the version is gone). */
export async function removeVersionLock(dir: string, versionId: string): Promise<void> {
  await unlink(lockFileOf(dir, versionId)).catch((e: unknown) => {
    if (errnoOf(e) !== 'ENOENT') throw e;
  });
}
