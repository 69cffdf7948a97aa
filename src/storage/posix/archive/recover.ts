/**
 * Recovery of moves a crash interrupted: each journal left is finished (the swap happened) or undone (it did not),
 * under its key's archive lock (key-lock.ts takes it, then calls this), so a move still running in another process
 * is never touched.
 */
import type { Bucket } from '../buckets/bucket.js';
import { journals } from './journal.js';
import { moveCommitted, settleMove } from './move.js';

/** Settles the journals of `key` (the caller holds its lock: any journal there is a dead move's). */
export async function recoverKey(bucket: Bucket, key: string): Promise<void> {
  const store = await bucket.store();
  for (const m of await journals(bucket, key)) {
    if (m.key !== key) continue;
    await settleMove(bucket, store, m, await moveCommitted(bucket, m));
  }
}
