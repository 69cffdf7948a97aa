/** The ordered directory walk behind S3 listing: keys and common prefixes in S3 order, read lazily. */
import type { BigIntStats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compareUtf8 } from './byte-order.js';
import { chainBelow, readEntries, resolveLink, sortEntries, type DirEntry } from './dir-entries.js';
import { hasKey, type KeySearch } from './has-key.js';
import { RESERVED_NAME } from '../paths/reserved.js';
import { isSkippable } from './skippable.js';
import { StatBatcher } from './stat-batcher.js';

export interface WalkOptions {
  /** absolute path of the bucket directory */
  root: string;
  prefix: string;
  /** any string; '' or undefined: no roll-up */
  delimiter?: string;
  /** exclusive lower bound on the emitted item (key, or rolled-up common prefix), UTF-8 byte order */
  startAfter?: string;
  /** when false, symbolic links are skipped entirely; when true, followed only if their real path stays inside root */
  followSymlinks: boolean;
  /**
   * whether the directory at absPath (key `key`, ending in '/') is a directory object, listed as a key of its own;
   * `empty`: false when the walk knows it holds entries (or may not see them), undefined when it does not know
   */
  isDirectoryObject(absPath: string, key: string, empty?: boolean): boolean | Promise<boolean>;
  /**
   * Whether the directory at absPath may be listed (the request's identity has read and search on it); one
   * that may not is walked as if empty, as `ls -R` skips what it cannot open. Absent: every directory may.
   */
  mayList?(absPath: string): boolean;
}

export type WalkItem =
  | { type: 'object'; key: string; path: string; stats: BigIntStats; directory: boolean }
  | { type: 'prefix'; prefix: string };

/** One directory on the current path: its sorted entries, and how far the walk has got through them. */
interface Frame {
  abs: string;
  /** The directory's key prefix: '' for the root, else ending in '/'. */
  key: string;
  /** Real paths from the start directory down to this one, when following links. */
  chain?: string[];
  entries: DirEntry[];
  /** lstat results, filled a window ahead of the walk: null where the file vanished. */
  stats: (BigIntStats | null | undefined)[];
  next: number;
}

/** A directory about to be walked. */
interface DirToEnter {
  abs: string;
  key: string;
  chain?: string[];
  /** The stats of a followed link's target directory (lstat would describe the link). */
  linkStats?: BigIntStats;
  /** Only in the start directory: the part of the prefix after its last '/'. */
  namePrefix?: string;
}

/** How many files are stat'ed ahead at once: enough to overlap NAS round trips, few enough to waste little on an early stop. */
const STAT_WINDOW = 32;

/**
 * Yields keys and common prefixes in S3 order (bytewise UTF-8 of the full key), lazily: only the sorted
 * entry lists of the directories on the current path are held. Entries are sorted within a directory by
 * name (files) or name + '/' (directories), which orders the whole tree as if its keys were flat.
 */
export async function* walk(opts: WalkOptions): AsyncGenerator<WalkItem> {
  const { prefix, followSymlinks: follow } = opts;
  const delimiter = opts.delimiter || undefined;
  const after = opts.startAfter || undefined;
  const isAfter = (s: string): boolean => after === undefined || compareUtf8(s, after) > 0;
  const cut = prefix.lastIndexOf('/') + 1;
  const startKey = prefix.slice(0, cut);
  // Every key below the start directory sorts before startAfter: nothing to read.
  if (after !== undefined && !after.startsWith(startKey) && compareUtf8(startKey, after) < 0) return;
  const start = await openStart(resolve(opts.root), startKey, follow);
  if (!start) return;
  const search: KeySearch = { follow, realRoot: start.realRoot, isDirectoryObject: opts.isDirectoryObject, mayList: opts.mayList };
  const batcher = new StatBatcher();
  const stack: Frame[] = [];

  /** Pushes the directory's frame; returns its directory object when it is one and is listed. */
  const enter = async (dir: DirToEnter) => {
    const { abs, key, chain, linkStats, namePrefix } = dir;
    let item: WalkItem | undefined;
    const rel = after !== undefined && after.startsWith(key) ? after.slice(key.length) : undefined;
    const listable = opts.mayList?.(abs) ?? true;
    const entries = listable ? sortEntries(await readEntries(abs, { follow, realRoot: start.realRoot, chain, namePrefix, after: rel })) : [];
    // Entries kept prove the directory is not empty; none kept prove nothing (they may have been filtered out).
    // One that may not be listed is no empty folder to this identity: only a written directory object shows.
    const empty = !listable || entries.length > 0 ? false : undefined;
    if (key !== '' && key.startsWith(prefix) && isAfter(key) && (await opts.isDirectoryObject(abs, key, empty))) {
      const stats = linkStats ?? (await directoryStats(abs));
      if (stats) item = { type: 'object', key, path: abs, stats, directory: true };
    }
    stack.push({ abs, key, chain, entries, stats: new Array(entries.length), next: 0 });
    return item;
  };

  /** Stats the file at index i and the next ones that will be listed as keys, in one batch. */
  const statAhead = async (f: Frame, i: number) => {
    const at: number[] = [];
    for (let j = i; j < f.entries.length && at.length < STAT_WINDOW; j++) {
      const e = f.entries[j];
      if (e.dir || e.link || f.stats[j] !== undefined) continue;
      if (j > i && delimiter !== undefined && rollUp(f.key + e.name, prefix.length, delimiter) !== undefined) continue;
      at.push(j);
    }
    const stats = await batcher.lstat(at.map((j) => `${f.abs}/${f.entries[j].name}`));
    at.forEach((j, n) => (f.stats[j] = stats[n]));
  };

  const first = await enter({ ...start, key: startKey, namePrefix: prefix.slice(cut) });
  if (first) yield first;
  // The last common prefix passed: every key that starts with it is accounted for.
  let rolled: string | undefined;
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.next === f.entries.length) {
      stack.pop();
      continue;
    }
    const i = f.next++;
    const e = f.entries[i];
    const key = f.key + e.sortName;
    if (rolled !== undefined && key.startsWith(rolled)) continue;
    const abs = `${f.abs}/${e.name}`;
    const common = delimiter === undefined ? undefined : rollUp(key, prefix.length, delimiter);
    if (common !== undefined) {
      // A directory rolls up whole, unread, once one key is known to lie under it.
      if (isAfter(common) && e.dir && !(await hasKey(abs, key, chainBelow(f.chain, e), search))) continue;
      if (isAfter(common)) yield { type: 'prefix', prefix: common };
      rolled = common;
      continue;
    }
    if (e.dir) {
      const item = await enter({ abs, key, chain: chainBelow(f.chain, e), linkStats: e.link?.stats });
      if (item) yield item;
      continue;
    }
    if (e.link) {
      yield { type: 'object', key, path: abs, stats: e.link.stats, directory: false };
      continue;
    }
    if (f.stats[i] === undefined) await statAhead(f, i);
    const stats = f.stats[i];
    // Not a regular file any more (replaced since readdir): leave it out rather than follow it.
    if (stats && stats.isFile()) yield { type: 'object', key, path: abs, stats, directory: false };
  }
}

/** The common prefix `key` rolls up into: up to and including the first delimiter after the prefix. */
function rollUp(key: string, prefixLength: number, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefixLength);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/**
 * Finds the directory a listing starts in: the prefix up to its last '/', checked one segment at a time
 * so that no '..', reserved name or (unfollowed or escaping) link in the prefix leads anywhere.
 */
async function openStart(root: string, startKey: string, follow: boolean) {
  try {
    const realRoot = follow ? await realpath(root) : undefined;
    let abs = root;
    let real = realRoot;
    let link: DirEntry['link'];
    for (const segment of startKey.split('/').slice(0, -1)) {
      if (!isKeySegment(segment)) return undefined;
      abs = `${abs}/${segment}`;
      const stats = await lstat(abs);
      link = undefined;
      if (stats.isDirectory()) {
        if (real !== undefined) real = `${real}/${segment}`;
        continue;
      }
      link = follow && stats.isSymbolicLink() ? await resolveLink(abs, { realRoot }) : undefined;
      if (!link?.stats.isDirectory()) return undefined;
      real = link.real;
    }
    // linkStats: the start directory is a followed link; its own lstat would describe the link.
    return { abs, realRoot, chain: real === undefined ? undefined : [real], linkStats: link?.stats };
  } catch (err) {
    if (isSkippable(err)) return undefined;
    throw err;
  }
}

/** A path segment a key can hold: no key has '', '.', '..', the reserved name, NUL or a lone surrogate. */
function isKeySegment(segment: string): boolean {
  return (
    segment !== '' &&
    segment !== '.' &&
    segment !== '..' &&
    segment !== RESERVED_NAME &&
    !segment.includes('\0') &&
    !/[\uD800-\uDFFF]/u.test(segment)
  );
}

/** lstat of a directory about to be listed as a directory object; null when it is no longer a directory. */
async function directoryStats(abs: string): Promise<BigIntStats | null> {
  try {
    const stats = await lstat(abs, { bigint: true });
    return stats.isDirectory() ? stats : null;
  } catch (err) {
    if (isSkippable(err)) return null;
    throw err;
  }
}
