/** One directory's entries as a listing sees them: only what can be a key or hold keys. */
import { isUtf8 } from 'node:buffer';
import type { BigIntStats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { compareUtf8 } from './byte-order.js';
import { RESERVED_NAME } from '../paths/reserved.js';
import { isSkippable } from './skippable.js';

export interface DirEntry {
  name: string;
  /** `name`, or `name + '/'` for a directory: what places the entry among its siblings in S3 order. */
  sortName: string;
  dir: boolean;
  /** Set for a followed symbolic link: its target's real path and stats. */
  link?: { real: string; stats: BigIntStats };
}

export interface ReadEntriesOptions {
  /** Follow symbolic links whose real path stays inside `realRoot`; otherwise links are left out. */
  follow: boolean;
  /** The real path of the bucket directory (needed when following links). */
  realRoot?: string;
  /** Real paths of the directories on the current path (when following): a link to one of them, or above, would loop. */
  chain?: readonly string[];
  /** Keep only names that start with this. */
  namePrefix?: string;
  /** Keep only entries that are, or may hold, keys after this string (relative to the directory, UTF-8 order). */
  after?: string;
}

/** A directory entry as readdir gives it, with its name decoded. */
interface RawEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * Reads the entries of `absDir` that can be keys or hold keys: regular files and directories, and followed
 * links. Left out: the reserved name, sockets, FIFOs and devices, names that are not valid UTF-8, and
 * everything when the directory cannot be read (vanished, no permission). Unsorted; see sortEntries.
 */
export async function readEntries(absDir: string, opts: ReadEntriesOptions): Promise<DirEntry[]> {
  let raw: RawEntry[];
  try {
    raw = await readdir(absDir, { withFileTypes: true });
    // Invalid UTF-8 decodes to U+FFFD; only then pay for a second, byte-exact read to tell real U+FFFD apart.
    if (raw.some((d) => d.name.includes('\uFFFD'))) raw = await readValidUtf8(absDir);
  } catch (err) {
    if (isSkippable(err)) return [];
    throw err;
  }
  const { namePrefix, after } = opts;
  const out: DirEntry[] = [];
  for (const d of raw) {
    const name = d.name;
    if (name === RESERVED_NAME) continue;
    if (namePrefix && !name.startsWith(namePrefix)) continue;
    let dir: boolean;
    let link: DirEntry['link'];
    if (d.isFile()) dir = false;
    else if (d.isDirectory()) dir = true;
    else if (d.isSymbolicLink() && opts.follow) {
      link = await resolveLink(`${absDir}/${name}`, opts);
      if (!link) continue;
      dir = link.stats.isDirectory();
    } else continue;
    const sortName = dir ? name + '/' : name;
    // A directory before `after` may still hold keys after it when it is a prefix of it.
    if (after !== undefined && compareUtf8(sortName, after) <= 0 && !(dir && after.startsWith(sortName))) continue;
    out.push(link ? { name, sortName, dir, link } : { name, sortName, dir });
  }
  return out;
}

/** Sorts entries in place into S3 order (their keys' UTF-8 bytes), and returns them. */
export function sortEntries(entries: DirEntry[]): DirEntry[] {
  return entries.sort((a, b) => compareUtf8(a.sortName, b.sortName));
}

async function readValidUtf8(absDir: string): Promise<RawEntry[]> {
  const raw = await readdir(absDir, { withFileTypes: true, encoding: 'buffer' });
  return raw
    .filter((d) => isUtf8(d.name))
    .map((d) => ({
      name: d.name.toString('utf8'),
      isFile: () => d.isFile(),
      isDirectory: () => d.isDirectory(),
      isSymbolicLink: () => d.isSymbolicLink(),
    }));
}

/**
 * The target of the link at `absPath` if it may be followed: inside `realRoot` and not in the reserved
 * directory, a file or a directory, and not a directory on (or above) the `chain`, which would loop.
 */
export async function resolveLink(
  absPath: string,
  opts: { realRoot?: string; chain?: readonly string[] },
): Promise<DirEntry['link']> {
  const root = opts.realRoot;
  if (root === undefined) return undefined;
  try {
    const real = await realpath(absPath);
    if (!isInside(real, root)) return undefined;
    if ((real.slice(root.length) + '/').includes(`/${RESERVED_NAME}/`)) return undefined;
    // stat the real path, not the link: the link could be swapped for another between the two calls.
    const stats = await stat(real, { bigint: true });
    if (stats.isFile()) return { real, stats };
    if (!stats.isDirectory()) return undefined;
    if (opts.chain?.some((c) => isInside(c, real))) return undefined;
    return { real, stats };
  } catch (err) {
    if (isSkippable(err)) return undefined;
    throw err;
  }
}

/** True when `path` is `dir` or lies below it (both real, absolute paths). */
export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** The real-path chain for descending into the directory entry `e`, or undefined when links are not followed. */
export function chainBelow(chain: readonly string[] | undefined, e: DirEntry): string[] | undefined {
  return chain && [...chain, e.link?.real ?? `${chain[chain.length - 1]}/${e.name}`];
}
