/**
 * Replacing the file at an object's path with another, only if the path still holds the inode expected — without
 * ever overwriting a file a concurrent writer (S3 or NAS) put there. rename() cannot be conditional, so the old
 * file is first renamed away and checked, and the new one is linked in (link() never replaces): a writer that
 * got in between wins, and the move is given up. For that instant the path is empty: the caller marks it
 * (swap-mark.ts) so the gateway's readers wait it out rather than answer NoSuchKey. The data is then both in the
 * work directory and wherever the move copied it, and recovery puts it back should the process die there.
 *
 * Why not a rename over the path after checking its inode (no empty instant)? A writer that replaces the file
 * between that check and the rename (a NAS user's save, an S3 PUT in an unversioned bucket, which takes no lock)
 * would lose their file to ours, and nothing could tell: the replaced inode is gone. The empty instant costs a
 * NAS reader or a listing at most a miss; the rename could cost a write.
 */
import { link, lstat, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDir } from '../../../fsutil/sync-dir.js';
import { errnoOf } from '../paths/errno.js';
import { putBack } from '../paths/put-back.js';
import { tempPath } from '../versions/layout.js';

/** The file a swap expects at the path: its inode and, where known, the size and mtime the move copied from. */
export interface SwapFrom {
  ino: bigint;
  size?: bigint;
  mtimeNs?: bigint;
}

/**
 * Puts `replacement` at `path` if `path` is the inode `from.ino`, unchanged since the move looked, the old file going
 * to `away`. 'done' when swapped; 'changed' when the path held something else (or nothing), or a NAS user wrote into
 * the file itself meanwhile: it is then left (or put back) as it was.
 *
 * What remains: a NAS user who opened the file before the swap and writes through that descriptor after the check
 * below writes into the file taken away, which the move then removes; as with any overwrite or delete of a file a
 * program holds open, the path never showed those bytes to anyone.
 */
export async function swapAtPath(path: string, from: SwapFrom, replacement: string, away: string, fsync: boolean): Promise<'done' | 'changed'> {
  try {
    await rename(path, away);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return 'changed';
    throw e;
  }
  const st = await lstat(away, { bigint: true });
  // Taken away, the file can no longer be written through the path: a write into it must show now. Such a write
  // makes it a new object, which the move must not replace (size and mtime are what tell content apart here).
  const written = (from.size !== undefined && st.size !== from.size) || (from.mtimeNs !== undefined && st.mtimeNs !== from.mtimeNs);
  if (st.ino !== from.ino || written) {
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
