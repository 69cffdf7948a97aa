/**
 * The journal of a move between the tree and the tier: written (and synced) before anything is touched, removed
 * only once everything is tidy. A journal left by a crash says what was under way, so recovery (recover.ts) can
 * finish or undo it: the object is then readable from the tree or safely in the tier, never in neither, and the
 * tier never keeps a copy no object refers to.
 */
import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { readJsonFile, writeJsonFile } from '../../../fsutil/json-file.js';
import { syncDir } from '../../../fsutil/sync-dir.js';
import type { Bucket } from '../buckets/bucket.js';
import { archiveStateOf, keyName, MOVES } from './work-paths.js';

/**
 * One move: `kind` archive (data → tier, a stub left at the path), restore (tier → a copy at the path) or expire
 * (the restored copy → a stub again).
 */
export interface MoveJournal {
  id: string;
  key: string;
  kind: 'archive' | 'restore' | 'expire';
  /** The inode at the path the move replaces (decimal). */
  fromIno: string;
  /** Its size and mtime (decimal nanoseconds) when the move looked: a write into it meanwhile gives the move up. */
  fromSize?: string;
  fromMtimeNs?: string;
  /** The tier's data file. */
  file: string;
  /** This move copied `file` into the tier: removed again if the move is undone. */
  madeFile?: boolean;
  /**
   * The place moved, relative to the bucket directory: the key's path when undefined, else a kept version's
   * entry in the versions store (swapped by rename under the key's commit lock, not by link).
   */
  place?: string;
}

/** The directory of journals and work directories of a bucket. */
export function movesDirOf(bucket: Bucket): string {
  return `${archiveStateOf(bucket)}/${MOVES}`;
}

/** The journal file of a move: named after its key first, so a mover finds its key's leftovers without reading all. */
export function journalPath(bucket: Bucket, m: Pick<MoveJournal, 'key' | 'id'>): string {
  return `${movesDirOf(bucket)}/${keyName(m.key)}-${m.id}.json`;
}

/** The move's work directory: `new` (what goes to the path) and `away` (what the path held). */
export function workDirOf(bucket: Bucket, m: Pick<MoveJournal, 'key' | 'id'>): string {
  return `${movesDirOf(bucket)}/${keyName(m.key)}-${m.id}`;
}

/** Writes the journal and creates the work directory, both durable before the move starts. */
export async function openJournal(bucket: Bucket, m: MoveJournal): Promise<void> {
  const dir = movesDirOf(bucket);
  await mkdir(workDirOf(bucket, m), { recursive: true });
  await writeJsonFile(journalPath(bucket, m), m, { fsync: true });
  await syncDir(dir);
}

/** Removes the journal, then the work directory (a journal without its `new` file means the move never got there). */
export async function closeJournal(bucket: Bucket, m: MoveJournal): Promise<void> {
  await unlink(journalPath(bucket, m)).catch(() => {});
  await rm(workDirOf(bucket, m), { recursive: true, force: true });
}

/** The journals left in the bucket, optionally only those of the key named `name` (keyName). */
export async function journals(bucket: Bucket, name?: string): Promise<MoveJournal[]> {
  const prefix = name === undefined ? '' : `${name}-`;
  const found = await Promise.all((await movesEntries(bucket)).filter((n) => n.endsWith('.json') && n.startsWith(prefix))
    .map((n) => readJsonFile<MoveJournal>(`${movesDirOf(bucket)}/${n}`).catch(() => undefined)));
  return found.filter((m): m is MoveJournal => m !== undefined && typeof m.key === 'string' && typeof m.id === 'string');
}

/** The names in the bucket's moves directory (none when it does not exist). */
export async function movesEntries(bucket: Bucket): Promise<string[]> {
  return readdir(movesDirOf(bucket)).catch(() => [] as string[]);
}

/** The key name (keyName) an entry of the moves directory belongs to: every entry starts with it. */
export function keyNameOfEntry(entry: string): string {
  return entry.slice(0, entry.indexOf('-'));
}

/**
 * Removes what dead moves of the key named `name` left without a journal (the caller holds its lock): the
 * temporary file of a journal whose write a crash cut short (nothing was touched yet: the journal comes first),
 * and work directories whose journal is gone (a crash while closing one).
 */
export async function sweepLeftovers(bucket: Bucket, name: string): Promise<void> {
  const names = (await movesEntries(bucket)).filter((n) => n.startsWith(`${name}-`));
  const present = new Set(names);
  for (const n of names) {
    const path = `${movesDirOf(bucket)}/${n}`;
    if (n.endsWith('.tmp')) await unlink(path).catch(() => {});
    else if (!n.endsWith('.json') && !present.has(`${n}.json`)) await rm(path, { recursive: true, force: true });
  }
}
