/**
 * Keeping a version's data under a second name: a hard link (no data copied), or in 'clone' mode a reflink
 * copy, so a NAS user rewriting the plain file in place cannot change the kept bytes. A clone is stamped with
 * the source's record (xattrs are not cloned) so it reads as the same version.
 */
import { constants } from 'node:fs';
import { copyFile, link, lstat, rename, unlink, utimes } from 'node:fs/promises';
import { errnoOf } from '../paths/errno.js';
import type { VersionsContext } from './context.js';
import { tempPath } from './layout.js';
import type { VersionedRecord } from './version-record.js';

/** What keepCopy did: 'clone' only where the file system cloned. */
export type Kept = 'link' | 'clone';

/**
 * Makes `dest` (absent) hold the data of the file at `src`: a clone when ctx.keep is 'clone' and the file
 * system can, else a hard link. `record` (the source's, for `key`) is written on a clone, made in `dir` (the
 * key's directory of versions). Throws EEXIST when `dest` exists.
 */
export async function keepCopy(ctx: VersionsContext, key: string, src: string, dest: string, record: VersionedRecord | undefined,
  dir: string): Promise<Kept> {
  if (ctx.keep !== 'link' && (await cloneTo(ctx, key, src, dest, record, dir))) return 'clone';
  await link(src, dest);
  return 'link';
}

// Why not copyFile straight to `dest`: the clone must carry its record before it has a version's name.
// In 'copy' mode copyFile clones where it can and copies the bytes elsewhere: it never falls back to a link.
async function cloneTo(ctx: VersionsContext, key: string, src: string, dest: string, record: VersionedRecord | undefined,
  dir: string): Promise<boolean> {
  const tmp = tempPath(dir);
  try {
    await copyFile(src, tmp, constants.COPYFILE_EXCL | (ctx.keep === 'copy' ? constants.COPYFILE_FICLONE : constants.COPYFILE_FICLONE_FORCE));
  } catch (e) {
    await unlink(tmp).catch(() => {});
    if (isNoClone(e)) return false;
    throw e;
  }
  try {
    const from = await lstat(src, { bigint: true });
    await utimes(tmp, new Date(Number(from.atimeNs / 1_000_000n)), new Date(Number(from.mtimeNs / 1_000_000n)));
    const st = await lstat(tmp, { bigint: true });
    if (record) await ctx.store.write(tmp, key, { ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) });
    // link + unlink rather than rename: rename would replace an existing `dest`, and a version is never replaced.
    await link(tmp, dest);
    return true;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

// The file system (ext4, tmpfs, NFS...) or the pair of files cannot share extents: fall back to a link.
function isNoClone(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'EINVAL' || code === 'ENOSYS' || code === 'ENOTTY';
}

/**
 * Replaces the plain file at `path` with a copy of the kept entry `from` (a link, or a clone) in one rename, made
 * aside in the key's directory of versions `dir`.
 */
export async function restoreTo(ctx: VersionsContext, key: string, from: string, path: string, record: VersionedRecord | undefined,
  dir: string): Promise<void> {
  const tmp = tempPath(dir);
  await keepCopy(ctx, key, from, tmp, record, dir);
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** Whether `e` says the destination of a keep already exists. */
export function isExists(e: unknown): boolean {
  return errnoOf(e) === 'EEXIST';
}
