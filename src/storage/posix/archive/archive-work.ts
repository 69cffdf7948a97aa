/**
 * The archive job's work on one bucket: moves a crash interrupted are settled (their journals), archive-class
 * writes a crash cut short are moved to the tier, restores asked for are carried out (the tier's data copied back
 * to a file put in place of each stub of the version), and restored copies past their expiry go back to stubs.
 * Each under the key's lock, each a journaled move (move.ts): a crash leaves the stub or the copy, never neither.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isArchiveClass } from '../../storage-class.js';
import type { Bucket } from '../buckets/bucket.js';
import { archiveVersion } from './archive-object.js';
import { addEntry, entries, removeEntry, type IndexEntry } from './index-files.js';
import { movedFrom, runMove } from './move.js';
import { openPlace, withPlaces, type OpenPlace, type Place } from './places.js';
import { expiryAfter } from './restore-request.js';
import { dressLike, makeStub } from './stub.js';
import { newTierName, tierDirOf, tierIsElsewhere, tierPath } from './tier.js';
import { verifiedCopy } from './verified-copy.js';
import { keyNameOfEntry, movesEntries } from './journal.js';
import { forEachKey, tryKeyLock, tryKeyNameLock } from './key-lock.js';

/** One piece of work: the key (and version) it is about, and what to run under the key's lock. */
type Work = [IndexEntry, () => Promise<void>];

/** Runs the recoveries, moves, restores and expiries due in `bucket`; a key busy now waits for the next run. */
export async function archiveWork(bucket: Bucket, signal?: AbortSignal): Promise<void> {
  const now = Date.now();
  // Each under its key's lock, which settles the key's journals first; a key busy now (a move under way
  // elsewhere) waits for the next run.
  const work: Work[] = [
    ...(await entries(bucket, 'archiving')).map((e): Work => [e, () => archivePending(bucket, e, signal)]),
    ...(await entries(bucket, 'restores')).map((e): Work => [e, () => restoreOne(bucket, e, signal)]),
    ...(await entries(bucket, 'restored')).filter((e) => (e.dueMs ?? 0) <= now).map((e): Work => [e, () => expireOne(bucket, e)]),
  ];
  // Keys with something in the moves directory (a journal, or what a dead move left without one): taking the lock
  // settles them.
  const left = new Set((await movesEntries(bucket)).map(keyNameOfEntry));
  const tasks = [
    ...[...left].map((name) => () => tryKeyNameLock(bucket, name, async () => {})),
    ...work.map(([e, run]) => () => tryKeyLock(bucket, e.key, run)),
  ];
  await forEachKey(tasks, (task) => task(), `archive work in bucket ${bucket.name}`, signal);
}

/** Runs `fn` on each opened place of the entry's version; the version gone (deleted, replaced) is no error. */
async function eachPlace(bucket: Bucket, e: IndexEntry, fn: (place: Place, opened: OpenPlace) => Promise<void>): Promise<void> {
  await withPlaces(bucket, e.key, e.versionId, async (places) => {
    for (const place of places) {
      const opened = await openPlace(bucket, e.key, place);
      if (!opened) continue;
      try {
        await fn(place, opened);
      } finally {
        await opened.fh.close();
      }
    }
  }).catch((err: unknown) => {
    const code = (err as { code?: string }).code;
    if (code !== 'NoSuchKey' && code !== 'NoSuchVersion') throw err;
  });
}

/** Finishes the move of an archive-class write a crash cut short; drops the entry of anything else. */
async function archivePending(bucket: Bucket, e: IndexEntry, signal?: AbortSignal): Promise<void> {
  let cls: string | undefined;
  await eachPlace(bucket, e, async (_place, opened) => {
    if (!opened.record.archive && isArchiveClass(opened.record.storageClass)) cls = opened.record.storageClass;
  });
  if (cls) await archiveVersion(bucket, e.key, e.versionId, cls, signal);
  await removeEntry(bucket, 'archiving', e);
}

/** Copies the version's data back from the tier in place of each stub being restored. */
async function restoreOne(bucket: Bucket, e: IndexEntry, signal?: AbortSignal): Promise<void> {
  const store = await bucket.store();
  let until: Date | undefined;
  await eachPlace(bucket, e, async (place, opened) => {
    const { record, stats } = opened;
    const archive = record.archive;
    if (!archive?.restoring || archive.restoredUntil !== undefined) return; // done, or no longer asked for
    until ??= expiryAfter(bucket, archive.restoring.days);
    const data = await open(tierPath(bucket, archive.file), constants.O_RDONLY);
    try {
      const verify = await tierIsElsewhere(bucket, tierDirOf(bucket));
      const { restoring: _, ...rest } = archive;
      await runMove(bucket, store, {
        id: newTierName(), key: e.key, kind: 'restore', ...movedFrom(stats), file: archive.file,
        ...(place.entry !== undefined ? { place: place.entry } : {}),
      }, async (newPath) => {
        await verifiedCopy(data, archive.size, newPath, { fsync: bucket.settings.fsync, verify, signal });
        await dressLike(newPath, stats, store, e.key, (st) => ({
          ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), archive: { ...rest, restoredUntil: until!.toISOString() },
        }), bucket.settings.fsync);
      });
    } finally {
      await data.close();
    }
  });
  if (until) await addEntry(bucket, 'restored', { ...e, dueMs: until.getTime() });
  await removeEntry(bucket, 'restores', e);
}

/** Puts stubs back in place of the version's restored copies whose expiry has passed. */
async function expireOne(bucket: Bucket, e: IndexEntry): Promise<void> {
  const store = await bucket.store();
  let later: number | undefined;
  await eachPlace(bucket, e, async (place, opened) => {
    const { record, stats } = opened;
    const archive = record.archive;
    if (!archive || archive.restoredUntil === undefined) return;
    const due = Date.parse(archive.restoredUntil);
    if (due > Date.now()) {
      later = due; // extended meanwhile
      return;
    }
    const { restoredUntil: _, ...rest } = archive;
    await runMove(bucket, store, {
      id: newTierName(), key: e.key, kind: 'expire', ...movedFrom(stats), file: archive.file,
      ...(place.entry !== undefined ? { place: place.entry } : {}),
    }, (newPath) => makeStub(newPath, stats, store, e.key, (st) => ({ ...record, ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs), archive: rest }),
      bucket.settings.fsync));
  });
  if (later !== undefined) await addEntry(bucket, 'restored', { ...e, dueMs: later });
  else await removeEntry(bucket, 'restored', e);
}
