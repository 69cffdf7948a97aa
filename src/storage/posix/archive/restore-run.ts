/**
 * The archive job's work on one bucket: restores asked for are carried out (the tier's data copied back to a file
 * put at the path in place of the stub), and restored copies past their expiry go back to stubs. Each under the
 * key's lock, each a journaled move (move.ts): a crash leaves the stub or the copy, never neither.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { isArchiveClass } from '../../storage-class.js';
import { archiveAtPath } from './archive-object.js';
import type { Bucket } from '../buckets/bucket.js';
import { sameContent } from '../metadata/record.js';
import { openWithInfo } from '../read/read.js';
import { addEntry, entries, removeEntry } from './index-files.js';
import { runMove } from './move.js';
import { recoverKey } from './recover.js';
import { expiryAfter } from './restore-request.js';
import { dressLike, makeStub } from './stub.js';
import { newTierName, tierDirOf, tierIsElsewhere, tierPath } from './tier.js';
import { verifiedCopy } from './verified-copy.js';
import { keyLockOf } from './work-paths.js';

/** Runs the restores asked for and the expiries due in `bucket`; a key busy now waits for the next run. */
export async function runRestores(bucket: Bucket, signal?: AbortSignal): Promise<void> {
  for (const e of await entries(bucket, 'archiving')) {
    if (signal?.aborted) return;
    await underLock(bucket, e.key, () => archivePending(bucket, e.key, signal));
  }
  for (const e of await entries(bucket, 'restores')) {
    if (signal?.aborted) return;
    await underLock(bucket, e.key, () => restoreOne(bucket, e.key, signal));
  }
  const now = Date.now();
  for (const e of await entries(bucket, 'restored')) {
    if (signal?.aborted) return;
    if ((e.dueMs ?? 0) > now) continue;
    await underLock(bucket, e.key, () => expireOne(bucket, e.key));
  }
}

async function underLock(bucket: Bucket, key: string, fn: () => Promise<void>): Promise<void> {
  await withFileLock(keyLockOf(bucket, key), async () => {
    await recoverKey(bucket, key);
    await fn();
  }, { makeDir: true, waitMs: 200, what: `archive moves of ${key}` }).catch(() => {});
}

/** The object at `key` with a record describing it, or undefined (gone, or replaced outside S3). */
async function current(bucket: Bucket, key: string) {
  const found = await openWithInfo(bucket, key);
  if (!found) return undefined;
  const record = found.record && !found.opened.directory && sameContent(found.record, found.opened.stats) ? found.record : undefined;
  if (!record) {
    await found.opened.fh.close();
    return undefined;
  }
  return { ...found, record };
}

/** Finishes the move of an archive-class write a crash cut short; drops the entry of anything else. */
async function archivePending(bucket: Bucket, key: string, signal?: AbortSignal): Promise<void> {
  const found = await current(bucket, key);
  const record = found?.record;
  if (found) await found.opened.fh.close();
  if (record && isArchiveClass(record.storageClass) && !record.archive) await archiveAtPath(bucket, key, record.storageClass!, signal);
  await removeEntry(bucket, 'archiving', key);
}

/** Copies a stub's data back from the tier and puts the copy at the path. */
async function restoreOne(bucket: Bucket, key: string, signal?: AbortSignal): Promise<void> {
  const found = await current(bucket, key);
  const archive = found?.record.archive;
  if (!found || !archive?.restoring || archive.restoredUntil !== undefined) {
    if (found) await found.opened.fh.close();
    await removeEntry(bucket, 'restores', key); // done, or no longer asked for (the object changed)
    return;
  }
  const { opened, record } = found;
  const store = await bucket.store();
  const days = archive.restoring.days;
  let until: Date | undefined;
  try {
    const data = await open(tierPath(bucket, archive.file), constants.O_RDONLY);
    try {
      const verify = await tierIsElsewhere(bucket, tierDirOf(bucket));
      const outcome = await runMove(bucket, store, { id: newTierName(), key, kind: 'restore', fromIno: String(opened.stats.ino), file: archive.file }, async (newPath) => {
        await verifiedCopy(data, archive.size, newPath, { fsync: bucket.settings.fsync, verify, mode: Number(opened.stats.mode & 0o7777n), signal });
        until = expiryAfter(bucket, days);
        await dressLike(newPath, opened.stats, store, key, (st) => {
          const { restoring: _, ...rest } = archive;
          return { ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), archive: { ...rest, restoredUntil: until!.toISOString() } };
        }, bucket.settings.fsync);
      });
      if (outcome === 'done') await addEntry(bucket, 'restored', { key, dueMs: until!.getTime() });
    } finally {
      await data.close();
    }
    await removeEntry(bucket, 'restores', key);
  } finally {
    await opened.fh.close();
  }
}

/** Puts a stub back in place of a restored copy whose expiry has passed. */
async function expireOne(bucket: Bucket, key: string): Promise<void> {
  const found = await current(bucket, key);
  const archive = found?.record.archive;
  if (!found || !archive || archive.restoredUntil === undefined) {
    if (found) await found.opened.fh.close();
    await removeEntry(bucket, 'restored', key);
    return;
  }
  const { opened, record } = found;
  try {
    const due = Date.parse(archive.restoredUntil);
    if (due > Date.now()) {
      await addEntry(bucket, 'restored', { key, dueMs: due }); // extended meanwhile
      return;
    }
    const store = await bucket.store();
    const { restoredUntil: _, ...rest } = archive;
    await runMove(bucket, store, { id: newTierName(), key, kind: 'expire', fromIno: String(opened.stats.ino), file: archive.file }, (newPath) =>
      makeStub(newPath, opened.stats, store, key, (st) => ({ ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), archive: rest }),
        bucket.settings.fsync));
    await removeEntry(bucket, 'restored', key);
  } finally {
    await opened.fh.close();
  }
}
