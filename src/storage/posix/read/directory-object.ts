/** Which directories are objects (keys ending in '/'): those written as directory objects, and empty folders. */
import { opendir } from 'node:fs/promises';
import type { MetaRecord } from '../metadata/record.js';

/**
 * Whether the directory at `path`, with its record, is an object. A directory written as a directory object is
 * one whatever it holds. An empty directory is one too unless the gateway made it for the keys below it: a
 * folder made on the NAS is part of the tree, as S3 consoles' folder markers are, while a directory the gateway
 * made is only a prefix, removed when its last key goes (and listing it in between would show a key nobody
 * wrote), and so is a NAS user's directory whose last key was deleted through S3 (prune.ts): kept on disk, but a
 * delete never makes a key appear. `empty`: already known (the caller read the directory); undefined: looked at here.
 */
export async function isObjectDirectory(path: string, record: MetaRecord | undefined, empty?: boolean): Promise<boolean> {
  if (record?.dirObject) return true;
  // Made by the gateway for keys below, or emptied through S3: a prefix whose keys went, not a folder.
  if (record?.made || record?.emptied) return false;
  return empty ?? (await isEmptyDirectory(path));
}

/**
 * Whether the directory at `path` has no entries at all, as rmdir needs it to be: a directory holding only
 * what no listing shows (a FIFO, a name that is not UTF-8) is no empty folder, since deleting it would fail.
 * False when it cannot be read.
 */
export async function isEmptyDirectory(path: string): Promise<boolean> {
  try {
    // The iterator closes the directory however the loop ends.
    for await (const _ of await opendir(path, { bufferSize: 1 })) return false;
    return true;
  } catch {
    return false;
  }
}
