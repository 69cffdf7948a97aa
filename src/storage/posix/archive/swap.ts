/**
 * Replacing the file at an object's path with another, only if the path still holds the inode expected — without
 * ever overwriting a file a concurrent writer (S3 or NAS) put there. rename() cannot be conditional, so the old
 * file is first renamed away and checked, and the new one is linked in (link() never replaces): a writer that
 * got in between wins, and the move is given up. For that instant the path is empty; the data is then both in
 * the work directory and wherever the move copied it, and recovery puts it back should the process die there.
 */
import { link, lstat, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { errnoOf } from '../paths/errno.js';
import { tempPath } from '../versions/layout.js';

/**
 * Puts `replacement` at `path` if `path` is the inode `expectedIno`, the old file going to `away`. 'done' when
 * swapped; 'changed' when the path held something else (or nothing), which is then left (or put back) as it was.
 */
export async function swapAtPath(path: string, expectedIno: bigint, replacement: string, away: string, fsync: boolean): Promise<'done' | 'changed'> {
  try {
    await rename(path, away);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return 'changed';
    throw e;
  }
  const st = await lstat(away, { bigint: true });
  if (st.ino !== expectedIno) {
    await putBack(away, path, st.isFile());
    return 'changed';
  }
  try {
    await link(replacement, path);
  } catch (e) {
    // A writer created the key while it was away: theirs is newer than what we took; ours is given up.
    if (errnoOf(e) !== 'EEXIST') {
      await putBack(away, path, true);
      throw e;
    }
    await putBack(away, path, true);
    return 'changed';
  }
  if (fsync) await syncDir(dirname(path));
  return 'done';
}

/**
 * Puts the file taken away back at `path` unless a newer one is there now (link never replaces: the newer one
 * wins, and the old one taken away is dropped, as that writer's rename would have dropped it).
 */
export async function putBack(away: string, path: string, isFile: boolean): Promise<void> {
  if (!isFile) {
    // Not ours to judge (a directory renamed in meanwhile): back as it was, where nothing can have appeared.
    await rename(away, path).catch(() => {});
    return;
  }
  try {
    await link(away, path);
  } catch (e) {
    if (errnoOf(e) !== 'EEXIST') throw e;
  }
  await unlink(away);
}

/**
 * Replaces a kept version's entry `path` with `replacement` if it is the inode `expectedIno`: for entries, which
 * only holders of the key's commit lock change (the caller is one), so no writer can get in between. The old
 * inode is first linked to `away` (so the move holds it, and can tell whether it was its last name), and the
 * replacement is linked in under a temporary name and renamed over the entry: `replacement` itself stays where
 * it is, so recovery can still compare inodes.
 */
export async function renameIfSame(path: string, expectedIno: bigint, replacement: string, away: string, fsync: boolean): Promise<'done' | 'changed'> {
  try {
    await link(path, away);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return 'changed';
    throw e;
  }
  if ((await lstat(away, { bigint: true })).ino !== expectedIno) {
    await unlink(away);
    return 'changed';
  }
  const tmp = tempPath(dirname(path));
  await link(replacement, tmp);
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  if (fsync) await syncDir(dirname(path));
  return 'done';
}
