/**
 * Recovery of moves a crash interrupted: each journal left is finished (the swap happened) or undone (it did not),
 * and what dead moves left without a journal is removed, under the key's archive lock (key-lock.ts takes it, then
 * calls this), so a move still running in another process is never touched. By the key's name (keyName): the
 * leftovers of a move whose journal was never written carry nothing else.
 */
import { unlink } from 'node:fs/promises';
import type { Bucket } from '../buckets/bucket.js';
import { journals, sweepLeftovers } from './journal.js';
import { moveCommitted, settleMove } from './move.js';
import { swapMarkOf } from './swap-mark.js';

/** Settles the moves of the key named `name` (the caller holds its lock: anything there is a dead move's). */
export async function recoverKey(bucket: Bucket, name: string): Promise<void> {
  const store = await bucket.store();
  for (const m of await journals(bucket, name)) await settleMove(bucket, store, m, await moveCommitted(bucket, m));
  await sweepLeftovers(bucket, name);
  // A swap's mark a crash left: the path holds a file again now (settled above), readers need not wait.
  await unlink(swapMarkOf(bucket, name)).catch(() => {});
}
