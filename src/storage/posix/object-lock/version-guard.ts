/**
 * Where the versions store asks before it removes a version's bytes (versions/delete-version.ts): the one check
 * (deletable.ts) against the version's lock file, then the immutable attribute lifted so the entry can go; once
 * it has gone, its lock file goes too.
 */
import { access } from 'node:fs/promises';
import { assertDeletable, type DeleteRequest } from './deletable.js';
import { isImmutable, setImmutable } from './immutable.js';
import { lockFileOf, readVersionLock, removeVersionLock } from './version-lock.js';

/**
 * Refuses (AccessDenied) the removal of the version `req.versionId`, kept at `entry` in the key's directory of
 * versions `dir`, while its lock is in force; else makes the entry removable. Call under the key's lock. The
 * answer is what to call once the entry is gone.
 */
export async function admitRemoval(dir: string, entry: string, req: DeleteRequest): Promise<() => Promise<void>> {
  const hasLock = await access(lockFileOf(dir, req.versionId)).then(() => true, () => false);
  if (!hasLock) return async () => {};
  assertDeletable(await readVersionLock(dir, req.versionId), req);
  // Only a version that had a lock can have been made immutable (enforcement.ts sealVersion).
  if (process.getuid?.() === 0 && (await isImmutable(entry))) await setImmutable(entry, false);
  return () => removeVersionLock(dir, req.versionId);
}

/**
 * Runs `fn` (a change of the record, which S3 allows on a locked version: tags, ACL) with the kept entry `entry`
 * of version `versionId` writable: an immutable entry is released for the change and made immutable again.
 */
export async function whileWritable<T>(entry: string, versionId: string, fn: () => Promise<T>): Promise<T> {
  const dir = entry.slice(0, entry.lastIndexOf('/'));
  const sealed = process.getuid?.() === 0
    && (await access(lockFileOf(dir, versionId)).then(() => true, () => false))
    && (await isImmutable(entry));
  if (!sealed) return fn();
  await setImmutable(entry, false);
  try {
    return await fn();
  } finally {
    await setImmutable(entry, true);
  }
}
