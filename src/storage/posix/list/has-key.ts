/** The early-exit search that decides whether a rolled-up common prefix exists at all. */
import { lstat } from 'node:fs/promises';
import { chainBelow, readEntries } from './dir-entries.js';
import { isSkippable } from './skippable.js';

export interface KeySearch {
  follow: boolean;
  realRoot?: string;
  /** As WalkOptions.isDirectoryObject. */
  isDirectoryObject(absPath: string, key: string, empty?: boolean): boolean | Promise<boolean>;
  /** As WalkOptions.mayList: a directory that may not be listed holds no keys for this search. */
  mayList?(absPath: string): boolean;
}

/**
 * Whether at least one key lies at or below the directory `absDir` (key `key`, ending in '/'): the
 * directory object itself (an empty folder is one), a file, or one in a subdirectory. A tree holding only
 * what is no key (gateway-made directories on their way out, special files, unlistable directories) must not
 * show up as a common prefix. Stops at the first key found; files are checked before any subdirectory is
 * read, and count only if they can be stat'ed, as the walk would list them.
 * `chain` holds the real paths down to `absDir` when following links.
 */
export async function hasKey(
  absDir: string,
  key: string,
  chain: readonly string[] | undefined,
  search: KeySearch,
): Promise<boolean> {
  // First as written: a directory object (a console's folder marker) answers without reading what may be a huge directory.
  if (await search.isDirectoryObject(absDir, key, false)) return true;
  // One that may not be listed is no empty folder to this identity: its emptiness is not the identity's to see.
  if (search.mayList && !search.mayList(absDir)) return false;
  const entries = await readEntries(absDir, { follow: search.follow, realRoot: search.realRoot, chain });
  // None read proves nothing (what readEntries leaves out may be there): then whether it is an empty folder.
  if (entries.length === 0) return search.isDirectoryObject(absDir, key);
  for (const e of entries) {
    if (!e.dir && (e.link || (await isListableFile(`${absDir}/${e.name}`)))) return true;
  }
  for (const e of entries) {
    if (e.dir && (await hasKey(`${absDir}/${e.name}`, key + e.sortName, chainBelow(chain, e), search))) return true;
  }
  return false;
}

/** Whether a file can be stat'ed and is still a regular file: what the walk needs to list it. */
async function isListableFile(absPath: string): Promise<boolean> {
  try {
    return (await lstat(absPath)).isFile();
  } catch (err) {
    if (isSkippable(err)) return false;
    throw err;
  }
}
