/** ListObjects over the ordered walker: one page of keys and common prefixes, with their ETags from records. */
import { lstatSync } from 'node:fs';
import type { ListObjectsInput, ListObjectsResult, ObjectInfo } from '../backend.js';
import type { Bucket } from './bucket.js';
import { objectInfo } from './object-info.js';
import type { MetadataStore } from './metadata/store.js';
import { walk } from './walk.js';

/**
 * One page of a listing: up to maxKeys items (objects and common prefixes together) in S3 order, after
 * `startAfter`. isTruncated when one more item exists (the walk is peeked one further, then stopped).
 * Never reads file contents: each object's ETag comes from its record, checked against the walker's stats.
 */
export async function listObjects(bucket: Bucket, input: ListObjectsInput): Promise<ListObjectsResult> {
  const result: ListObjectsResult = { objects: [], commonPrefixes: [], isTruncated: false };
  if (input.maxKeys <= 0) return result;
  const store = await bucket.store();
  const items = walk({
    root: bucket.dir,
    prefix: input.prefix,
    delimiter: input.delimiter,
    startAfter: input.startAfter,
    followSymlinks: bucket.settings.followSymlinks,
    isDirectoryObject: (absPath, key) => isDirectoryObject(store, absPath, key),
  });
  let count = 0;
  for await (const item of items) { // leaving the loop early return()s the walker: it stops reading
    if (count === input.maxKeys) {
      result.isTruncated = true;
      break;
    }
    count++;
    if (item.type === 'prefix') {
      result.commonPrefixes.push(item.prefix);
      result.lastItem = item.prefix;
    } else {
      result.objects.push(listedInfo(store, item.key, item.path, item.stats));
      result.lastItem = item.key;
    }
  }
  return result;
}

function listedInfo(store: MetadataStore, key: string, path: string, stats: Parameters<typeof objectInfo>[1]): ObjectInfo {
  return objectInfo(key, stats, store.read(path, key, stats.ino));
}

/** Whether the directory at absPath carries a directory-object record (key ends in '/'). */
export function isDirectoryObject(store: MetadataStore, absPath: string, key: string): boolean {
  // The inode is needed only to find a sidecar; an xattr is read from the directory itself.
  const ino = store.kind === 'sidecar' ? lstatSync(absPath, { bigint: true, throwIfNoEntry: false })?.ino : 0n;
  if (ino === undefined) return false;
  return store.read(absPath, key, ino)?.dirObject === true;
}
