/**
 * Where a key's versions live, and how their file names read. The key's path is mirrored under
 * `<bucket>/.dirbucket/versions/`, and its versions sit in a `.dirbucket` directory there, a name no key
 * segment can have: keys `a` and `a/b` never share a directory of versions.
 *
 * Names in a key's directory of versions (`seq` is an id: it orders the entries, newest = greatest):
 * - `<seq>`: a version, id `seq`, a hard link to (or clone of) its data;
 * - `<seq>.m`: a delete marker, id `seq`, a small JSON file;
 * - `<seq>.null`, `<seq>.null.m`: the `null` version or delete marker, placed at `seq` in the order;
 * - `<seq>.lost`: the version whose bytes a NAS user overwrote in place (empty: nothing to serve);
 * - `.lock`, `.t-*`: the commit lock and temporary names (never versions); `.lock.*` while a dead lock is broken;
 *   `<id>.worm` and its atomic write's temporaries: a version's object lock (object-lock/version-lock.ts).
 */
import { randomBytes } from 'node:crypto';
import { RESERVED_NAME } from '../paths/reserved.js';
import { isVersionId, NULL_VERSION_ID } from './version-id.js';

/** One entry of a key's directory of versions. */
export interface Entry {
  /** The file name. */
  name: string;
  /** Its place in the order: greater is newer. */
  seq: string;
  /** The version id S3 knows it by (`seq`, or 'null'). */
  id: string;
  kind: 'data' | 'marker' | 'lost';
}

/** The start of temporary names in a key's directory of versions (links being made). */
export const TEMP_PREFIX = '.t-';

/** The file name of a key's commit lock. */
export const LOCK_NAME = '.lock';

/** The key's commit lock in its directory of versions `dir` (context.ts KEY_LOCK). */
export function lockFileOf(dir: string): string {
  return `${dir}/${LOCK_NAME}`;
}

/** A fresh temporary name in the key's directory of versions `dir`. */
export function tempPath(dir: string): string {
  return `${dir}/${TEMP_PREFIX}${randomBytes(6).toString('hex')}`;
}

/** The directory holding the versions of the key with these segments. */
export function versionsDirOf(stateDir: string, segments: readonly string[]): string {
  return `${versionsRootOf(stateDir)}/${segments.join('/')}/${RESERVED_NAME}`;
}

/** The root of the mirrored tree of versions in a bucket's internal state. */
export function versionsRootOf(stateDir: string): string {
  return `${stateDir}/versions`;
}

/** The file name of an entry. */
export function entryName(e: Pick<Entry, 'seq' | 'id' | 'kind'>): string {
  const base = e.id === NULL_VERSION_ID ? `${e.seq}.null` : e.seq;
  return e.kind === 'marker' ? `${base}.m` : e.kind === 'lost' ? `${base}.lost` : base;
}

/** The entry a file name stands for, or undefined for anything that is not a version (lock, temporaries). */
export function parseEntryName(name: string): Entry | undefined {
  const dot = name.indexOf('.');
  const seq = dot < 0 ? name : name.slice(0, dot);
  if (!isVersionId(seq)) return undefined;
  switch (dot < 0 ? '' : name.slice(dot)) {
    case '': return { name, seq, id: seq, kind: 'data' };
    case '.m': return { name, seq, id: seq, kind: 'marker' };
    case '.null': return { name, seq, id: NULL_VERSION_ID, kind: 'data' };
    case '.null.m': return { name, seq, id: NULL_VERSION_ID, kind: 'marker' };
    case '.lost': return { name, seq, id: seq, kind: 'lost' };
    case '.null.lost': return { name, seq, id: NULL_VERSION_ID, kind: 'lost' };
    default: return undefined;
  }
}

/** Newest first: by `seq`, which sorts as a string. */
export function newestFirst(a: Entry, b: Entry): number {
  return a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0;
}
