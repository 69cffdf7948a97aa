/**
 * Recovery of moves a crash interrupted: each journal left is finished (the swap happened) or undone (it did not),
 * under its key's lock, so a move still running in another process is never touched.
 */
import { withFileLock } from '../../../fsutil/file-lock.js';
import type { Bucket } from '../buckets/bucket.js';
import { journals } from './journal.js';
import { moveCommitted, settleMove } from './move.js';
import { keyLockOf } from './work-paths.js';

/** Settles the journals of `key` (the caller holds its lock: any journal there is a dead move's). */
export async function recoverKey(bucket: Bucket, key: string): Promise<void> {
  const store = await bucket.store();
  for (const m of await journals(bucket, key)) {
    if (m.key !== key) continue;
    await settleMove(bucket, store, m, await moveCommitted(bucket, m));
  }
}

/** Settles every journal of the bucket, each under its key's lock (a key busy now is left for the next run). */
export async function recoverBucket(bucket: Bucket, signal?: AbortSignal): Promise<number> {
  let settled = 0;
  for (const m of await journals(bucket)) {
    if (signal?.aborted) break;
    await withFileLock(keyLockOf(bucket, m.key), async () => {
      await recoverKey(bucket, m.key);
      settled++;
    }, { makeDir: true, waitMs: 100, what: `archive moves of ${m.key}` }).catch(() => {});
  }
  return settled;
}
