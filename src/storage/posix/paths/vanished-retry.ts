/**
 * Waiting out a directory that vanished under a write. On a local file system a retry at once sees the truth.
 * A distributed file system's client caches its attributes and entries (about a second by default on NFS,
 * CephFS and MooseFS), so a directory another gateway removed can go on looking present here: the lookup says
 * "directory", the rename into it fails with ENOENT, and retries at once all fall inside the same window.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Tries in all before the failure is the client's (the waits add up to about 2.5 s, past those caches). */
export const VANISHED_ATTEMPTS = 9;
const FIRST_WAIT_MS = 10;

/** Waits before try `attempt` + 1: none after the first (a local race), then 10 ms doubling. */
export async function waitBeforeRetry(attempt: number): Promise<void> {
  if (attempt > 1) await sleep(FIRST_WAIT_MS * 2 ** (attempt - 2));
}
