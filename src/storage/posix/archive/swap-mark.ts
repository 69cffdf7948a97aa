/**
 * The mark of a swap at an object's path (swap.ts): for the few system calls between taking the old file away and
 * linking the new one in, the path is empty. Why a mark rather than a rename over the path: rename() replaces
 * whatever is there by then, so a file a NAS user put at the path between our last look and our rename would be
 * destroyed, and nothing can tell afterwards (only renameat2's RENAME_EXCHANGE could, which Node does not offer).
 * The swap keeps link() (never replaces: the writer wins) and marks the moment instead; a gateway reader that finds
 * the path empty looks for the mark and, while it is there, waits for the swap to end and opens the path again. So
 * GET, HEAD and copy sources never answer NoSuchKey for an object that is only being moved. NAS readers and
 * listings can still miss the key for those microseconds.
 *
 * The marks live in `.dirbucket/archive/swapping/`, one per key (by keyName), made under the key's archive lock and
 * removed when the swap ends; recovery removes one a crash left (recover.ts). The directory, once made, is never
 * removed: a reader that finds no directory knows no swap was ever under way in the bucket.
 */
import { lstat, mkdir, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bucket } from '../buckets/bucket.js';
import { errnoOf } from '../paths/errno.js';
import { archiveStateOf, keyName } from './work-paths.js';

const SWAPPING = 'swapping';
/** A swap is a few system calls; a reader waits this long at most (a mark a crash left makes it wait once). */
const WAIT_MS = 1000;
/** A mark older than this was left by a crash (recovery removes it): readers do not wait for it. */
const STALE_MS = 10_000;

/** The mark of a swap of the key named `name` (keyName). */
export function swapMarkOf(bucket: Bucket, name: string): string {
  return `${archiveStateOf(bucket)}/${SWAPPING}/${name}`;
}

/** Runs `swap` with the key's mark set (the caller holds the key's archive lock), removing the mark however it ends. */
export async function whileMarked<R>(bucket: Bucket, key: string, swap: () => Promise<R>): Promise<R> {
  const mark = swapMarkOf(bucket, keyName(key));
  await writeFile(mark, '').catch(async (e: unknown) => {
    if (errnoOf(e) !== 'ENOENT') throw e;
    await mkdir(dirname(mark), { recursive: true });
    await writeFile(mark, '');
  });
  try {
    return await swap();
  } finally {
    await unlink(mark).catch(() => {});
  }
}

/**
 * For a reader that found no file at `key`'s path: true when a swap may have emptied it for that instant, so the
 * path is worth opening again (the swap has ended, or the wait ran out). Waits while a fresh mark is there. When
 * the mark is already gone, the path is opened again once (`first`): the swap may have ended between the reader's
 * open and this look, and the path was filled before the mark was removed.
 */
export async function swapMayHaveHidden(bucket: Bucket, key: string, first: boolean): Promise<boolean> {
  // Most buckets never had a swap: one lstat of a missing directory answers for them.
  const dirSeen = await lstat(`${archiveStateOf(bucket)}/${SWAPPING}`).then(() => true, () => false);
  if (!dirSeen) return false;
  const mark = swapMarkOf(bucket, keyName(key));
  const deadline = Date.now() + WAIT_MS;
  let waited = false;
  for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
    const st = await lstat(mark).catch(() => undefined);
    if (!st || Date.now() - st.mtimeMs > STALE_MS) return first || waited;
    if (Date.now() > deadline) return true;
    waited = true;
    await sleep(pause);
  }
}
