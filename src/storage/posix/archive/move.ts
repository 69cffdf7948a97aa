/**
 * One move between the tree and the tier, journaled: the new file for the path is prepared in the move's work
 * directory, swapped in only if the path still holds the file the move started from, and everything is tidied
 * whether it was swapped or not. settleMove is also how recovery finishes a move a crash interrupted.
 */
import { lstat, unlink } from 'node:fs/promises';
import type { Bucket } from '../buckets/bucket.js';
import type { MetadataStore } from '../metadata/store.js';
import { parseKey } from '../paths/paths.js';
import { closeJournal, openJournal, workDirOf, type MoveJournal } from './journal.js';
import { putBack } from '../paths/put-back.js';
import { renameIfSame, swapAtPath } from './swap.js';
import { whileMarked } from './swap-mark.js';
import { removeTierFile } from './tier.js';

/** The journal's fields naming the file a move starts from (`stats`: its stats when the move looked). */
export function movedFrom(stats: { ino: bigint; size: bigint; mtimeNs: bigint }): Pick<MoveJournal, 'fromIno' | 'fromSize' | 'fromMtimeNs'> {
  return { fromIno: String(stats.ino), fromSize: String(stats.size), fromMtimeNs: String(stats.mtimeNs) };
}

/** The key's path in the bucket. */
export function objectPath(bucket: Bucket, key: string): string {
  return `${bucket.dir}/${parseKey(key).segments.join('/')}`;
}

/** The file a move replaces: the key's path, or a kept version's entry. */
export function placeOf(bucket: Bucket, m: Pick<MoveJournal, 'key' | 'place'>): string {
  return m.place === undefined ? objectPath(bucket, m.key) : `${bucket.dir}/${m.place}`;
}

/**
 * Runs the move `m`: journal, `prepare(newPath)` (creates the file to put at the path, with its record), swap,
 * tidy. 'changed' when the path no longer held `m.fromIno` (a writer got there first): nothing was moved.
 */
export async function runMove(bucket: Bucket, store: MetadataStore, m: MoveJournal, prepare: (newPath: string) => Promise<void>): Promise<'done' | 'changed'> {
  await openJournal(bucket, m);
  const dir = workDirOf(bucket, m);
  let outcome: 'done' | 'changed' = 'changed';
  try {
    await prepare(`${dir}/new`);
    const [place, made, away, fsync] = [placeOf(bucket, m), `${dir}/new`, `${dir}/away`, bucket.settings.fsync];
    const from = {
      ino: BigInt(m.fromIno),
      ...(m.fromSize !== undefined ? { size: BigInt(m.fromSize) } : {}),
      ...(m.fromMtimeNs !== undefined ? { mtimeNs: BigInt(m.fromMtimeNs) } : {}),
    };
    // The key's path is empty for the instant of its swap: marked, so the gateway's readers wait it out (swap-mark.ts).
    outcome = m.place === undefined
      ? await whileMarked(bucket, m.key, () => swapAtPath(place, from, made, away, fsync))
      : await renameIfSame(place, from.ino, made, away, fsync);
  } finally {
    await settleMove(bucket, store, m, outcome === 'done');
  }
  return outcome;
}

/**
 * Finishes `m` as `committed` or not: committed, the file taken away leaves the tree (its sidecar record too, when
 * that was its last name); not, it goes back to its place (unless a newer file is there) and a copy the move made
 * leaves the tier. Then the journal goes.
 */
export async function settleMove(bucket: Bucket, store: MetadataStore, m: MoveJournal, committed: boolean): Promise<void> {
  const dir = workDirOf(bucket, m);
  const away = await lstat(`${dir}/away`, { bigint: true }).catch(() => undefined);
  if (committed) {
    if (away) {
      await unlink(`${dir}/away`);
      if (away.nlink === 1n) await store.forget(m.key, away.ino).catch(() => {});
    }
  } else {
    // An entry is never taken from its place (renameIfSame only links it away): the second name just goes. Linking
    // it back could bring back a version deleted since the crash.
    if (away && m.place === undefined) await putBack(`${dir}/away`, placeOf(bucket, m), away.isFile());
    else if (away) await unlink(`${dir}/away`);
    if (m.madeFile) await removeTierFile(bucket, m.file);
    const made = await lstat(`${dir}/new`, { bigint: true }).catch(() => undefined);
    if (made) await store.forget(m.key, made.ino).catch(() => {});
  }
  await closeJournal(bucket, m);
}

/** Whether `m` got as far as its swap: the path holds the very file it prepared. */
export async function moveCommitted(bucket: Bucket, m: MoveJournal): Promise<boolean> {
  const made = await lstat(`${workDirOf(bucket, m)}/new`, { bigint: true }).catch(() => undefined);
  if (!made) return false;
  const now = await lstat(placeOf(bucket, m), { bigint: true }).catch(() => undefined);
  return now?.ino === made.ino;
}
