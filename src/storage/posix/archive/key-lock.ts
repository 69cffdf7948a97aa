/**
 * The key's archive lock: one archive move of a key at a time across processes and hosts (a file lock, broken
 * when its holder died), with what a dead mover of the key left settled first (recover.ts).
 */
import { S3Error } from '../../../errors/s3-error.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import type { Bucket } from '../buckets/bucket.js';
import { recoverKey } from './recover.js';
import { keyName, keyNameLockOf } from './work-paths.js';

/** Runs `fn` holding `key`'s archive lock, waiting for it up to a minute (then OperationAborted). */
export function withKeyLock<R>(bucket: Bucket, key: string, fn: () => Promise<R>): Promise<R> {
  return withFileLock(keyNameLockOf(bucket, keyName(key)), async () => {
    await recoverKey(bucket, keyName(key));
    return fn();
  }, { makeDir: true, waitMs: 60_000, what: `archive moves of ${key}`, busy: () => new S3Error('OperationAborted', `Another archive move of ${key} is under way.`) });
}

/** Thrown when a key's lock is busy: background work leaves the key for its next run. */
class KeyBusy extends Error {}

/** Runs `fn` holding `key`'s archive lock if it is free within `waitMs`; false (and nothing run) when busy. */
export function tryKeyLock(bucket: Bucket, key: string, fn: () => Promise<void>, waitMs = 200): Promise<boolean> {
  return tryKeyNameLock(bucket, keyName(key), fn, waitMs);
}

/** tryKeyLock by the key's name (keyName): for what a crash left in the moves directory, named by it alone. */
export async function tryKeyNameLock(bucket: Bucket, name: string, fn: () => Promise<void>, waitMs = 200): Promise<boolean> {
  try {
    await withFileLock(keyNameLockOf(bucket, name), async () => {
      await recoverKey(bucket, name);
      await fn();
    }, { makeDir: true, waitMs, what: `archive moves of the key named ${name}`, busy: () => new KeyBusy(name) });
    return true;
  } catch (e) {
    if (e instanceof KeyBusy) return false;
    throw e;
  }
}

/**
 * Runs `each` on every item, one after the other, going on past failures (a key whose move fails must not stop
 * the others); throws them together at the end, so the job scheduler logs them.
 */
export async function forEachKey<T>(items: T[], each: (item: T) => Promise<unknown>, what: string, signal?: AbortSignal): Promise<void> {
  const failures: unknown[] = [];
  for (const item of items) {
    if (signal?.aborted) break;
    await each(item).catch((e: unknown) => failures.push(e));
  }
  if (failures.length) throw new AggregateError(failures, `${what}: ${failures.length} failed (tried again on the next run): ${(failures[0] as Error).message}`);
}
