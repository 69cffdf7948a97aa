/** ListObjects over the ordered walker: one page of keys and common prefixes, with their ETags from records. */
import { lstat } from 'node:fs/promises';
import type { ListObjectsInput, ListObjectsResult } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { RecordReader, type RecordRequest } from '../metadata/record-reader.js';
import type { MetaRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';
import { listedObject } from '../read/object-info.js';
import { isObjectDirectory } from '../read/directory-object.js';
import { settleListed } from '../read/record-pair.js';
import { walk, type WalkItem } from './walk.js';

/** How many records go to the reader at once: enough to make a trip to the record thread worth it. */
const RECORD_BATCH = 128;

/**
 * One page of a listing: up to maxKeys items (objects and common prefixes together) in S3 order, after
 * `startAfter`. isTruncated when one more item exists (the walk is peeked one further, then stopped).
 * Never reads file contents: each object's ETag comes from its record, checked against the walker's stats.
 * With an identity, the listing is what it could list: the directories on the way to the prefix must be
 * searchable (else nothing is listed), and a directory it may not read and search is skipped whole, silently.
 */
export async function listObjects(bucket: Bucket, input: ListObjectsInput): Promise<ListObjectsResult> {
  const result: ListObjectsResult = { objects: [], commonPrefixes: [], isTruncated: false };
  if (input.maxKeys <= 0) return result;
  const access = fsAccessFor(input.identity);
  const startDirs = input.prefix.slice(0, input.prefix.lastIndexOf('/') + 1).split('/').slice(0, -1);
  if (access && !access.canSearch(bucket.dir, startDirs)) return result;
  const store = await bucket.store();
  const reader = new RecordReader(store);
  const items: WalkItem[] = [];
  // Records are read a batch at a time while the walk goes on (on the record thread, when there is one).
  const reads: Promise<(MetaRecord | undefined)[]>[] = [];
  let batch: RecordRequest[] = [];
  const walker = walk({
    root: bucket.dir,
    prefix: input.prefix,
    delimiter: input.delimiter,
    startAfter: input.startAfter,
    followSymlinks: bucket.settings.followSymlinks,
    isDirectoryObject: (absPath, key, empty) => isDirectoryObject(store, absPath, key, { reader, empty }),
    mayList: access && ((absPath) => access.canList(absPath)),
  });
  for await (const item of walker) { // leaving the loop early return()s the walker: it stops reading
    if (items.length === input.maxKeys) {
      result.isTruncated = true;
      break;
    }
    items.push(item);
    if (item.type === 'object') {
      batch.push({ path: item.path, key: item.key, ino: item.stats.ino });
      if (batch.length === RECORD_BATCH) {
        const read = reader.readAll(batch);
        read.catch(() => {}); // awaited below; a failure must not go unhandled while the walk goes on
        reads.push(read);
        batch = [];
      }
    }
  }
  reads.push(reader.readAll(batch));
  const records = (await Promise.all(reads)).flat();
  const files = items.filter((item): item is Extract<WalkItem, { type: 'object' }> => item.type === 'object');
  // The walk's stats and the records read later may belong to two files when a writer replaced one meanwhile
  // (unless the caller looks again before it acts).
  const pairs = input.forPlanning ? files.map((f, i) => ({ stats: f.stats, record: records[i] }))
    : await settleListed(store, files, records, { follow: bucket.settings.followSymlinks });
  let n = 0;
  for (const item of items) {
    if (item.type === 'prefix') {
      result.commonPrefixes.push(item.prefix);
      result.lastItem = item.prefix;
    } else {
      const pair = pairs[n++];
      // Deleted meanwhile: left out, but the page still ends where the walk did.
      if (pair) result.objects.push(listedObject(item.key, pair.stats, pair.record));
      result.lastItem = item.key;
    }
  }
  return result;
}

/**
 * Whether the directory at absPath is an object of its own (key `key`, ending in '/'): see isObjectDirectory.
 * `empty`: whether the caller knows it to be empty (undefined: unknown, looked at when it matters).
 */
export async function isDirectoryObject(store: MetadataStore, absPath: string, key: string,
  opts: { reader?: RecordReader; empty?: boolean } = {}): Promise<boolean> {
  // The inode is needed only to find a sidecar; an xattr is read from the directory itself.
  const ino = store.kind === 'sidecar' ? (await lstat(absPath, { bigint: true }).catch(() => undefined))?.ino : 0n;
  if (ino === undefined) return false;
  const record = await (opts.reader ?? new RecordReader(store)).read({ path: absPath, key, ino });
  return isObjectDirectory(absPath, record, opts.empty);
}
