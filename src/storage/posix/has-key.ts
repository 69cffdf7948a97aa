/** The early-exit search that decides whether a rolled-up common prefix exists at all. */
import { chainBelow, readEntries } from './dir-entries.js';

export interface KeySearch {
  follow: boolean;
  realRoot?: string;
  isDirectoryObject(absPath: string, key: string): boolean | Promise<boolean>;
}

/**
 * Whether at least one key lies at or below the directory `absDir` (key `key`, ending in '/'): the
 * directory object itself, a file, or one in a subdirectory. S3 has no keys in empty directories, so a
 * tree of them must not show up as a common prefix. Stops at the first key found; files are checked
 * before any subdirectory is read. `chain` holds the real paths down to `absDir` when following links.
 */
export async function hasKey(absDir: string, key: string, chain: readonly string[] | undefined, search: KeySearch): Promise<boolean> {
  if (await search.isDirectoryObject(absDir, key)) return true;
  const entries = await readEntries(absDir, { follow: search.follow, realRoot: search.realRoot, chain });
  if (entries.some((e) => !e.dir)) return true;
  for (const e of entries) {
    if (await hasKey(`${absDir}/${e.name}`, key + e.sortName, chainBelow(chain, e), search)) return true;
  }
  return false;
}
