/**
 * The archive job's to-do lists, one small file per key: writes of an archive class not yet moved to the tier
 * (`archiving/`), restores asked for (`restores/`) and restored copies with their expiry (`restored/`). Hints only — the object's record is the truth, re-read under the key's lock before
 * anything is done — so a lost or stale entry costs at most a late or skipped check, never a wrong move.
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { readJsonFile, writeJsonFile } from '../../../fsutil/json-file.js';
import type { Bucket } from '../buckets/bucket.js';
import { archiveStateOf, keyName } from './work-paths.js';

/**
 * One entry: the key, the version (undefined: the current one, or the key without versioning) and for a restored
 * copy when it is due to go back to a stub (ms since the epoch).
 */
export interface IndexEntry {
  key: string;
  versionId?: string;
  dueMs?: number;
}

/** The entry's file name: one per key and version. */
function nameOf(e: Pick<IndexEntry, 'key' | 'versionId'>): string {
  return `${keyName(e.versionId === undefined ? e.key : `${e.key}\0${e.versionId}`)}.json`;
}

export type IndexName = 'archiving' | 'restores' | 'restored';

function dirOf(bucket: Bucket, index: IndexName): string {
  return `${archiveStateOf(bucket)}/${index}`;
}

/** Adds (or replaces) `key`'s entry. */
export async function addEntry(bucket: Bucket, index: IndexName, entry: IndexEntry): Promise<void> {
  const dir = dirOf(bucket, index);
  await mkdir(dir, { recursive: true });
  await writeJsonFile(`${dir}/${nameOf(entry)}`, entry, { fsync: bucket.settings.fsync });
}

/** Removes the entry of `e`'s key and version, if any. */
export async function removeEntry(bucket: Bucket, index: IndexName, e: Pick<IndexEntry, 'key' | 'versionId'>): Promise<void> {
  await unlink(`${dirOf(bucket, index)}/${nameOf(e)}`).catch(() => {});
}

/** The entries of an index (few: one per restore under way or restored copy). */
export async function entries(bucket: Bucket, index: IndexName): Promise<IndexEntry[]> {
  const dir = dirOf(bucket, index);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => readJsonFile<IndexEntry>(`${dir}/${n}`).catch(() => undefined)));
  return found.filter((e): e is IndexEntry => typeof e?.key === 'string');
}
