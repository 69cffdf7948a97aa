/** ObjectInfo from a file's stats and its metadata record, never trusting a stale record's content fields. */
import type { BigIntStats } from 'node:fs';
import type { ObjectInfo } from '../../backend.js';
import { contentTypeFor } from '../../content-type.js';
import { EMPTY_MD5, syntheticEtag } from './etag.js';
import { describesContent, metaOf, sameContent, type MetaRecord } from '../metadata/record.js';
import type { ObjectInfo as Info } from '../../backend.js';
import { decodeLayout } from '../multipart/part-layout.js';

/**
 * What HEAD, GET and listings show for `key`. For a file, the record's ETag, checksum and part count are used
 * only while it still describes the file (inode, size, mtime as written); otherwise the ETag is synthetic.
 * Headers and user metadata are kept either way. A directory object without bytes is empty, with the empty MD5.
 */
export function objectInfo(key: string, stats: BigIntStats, record: MetaRecord | undefined): ObjectInfo {
  const info = listedObject(key, stats, record);
  const meta = metaOf(record);
  meta.contentType ??= key.endsWith('/') ? 'application/x-directory' : contentTypeFor(key);
  info.meta = meta;
  // Owner, grants and tags belong to the content as written: a file replaced outside S3 has none of them.
  // (Taken as they are, not copied: a record is parsed afresh for each read.)
  if (record && (info.isDirectoryObject || sameContent(record, stats))) {
    if (record.owner !== undefined) info.owner = record.owner;
    if (record.grants !== undefined) info.grants = record.grants;
    if (record.tags?.length) info.tags = record.tags;
  }
  if (record && !info.isDirectoryObject && describesContent(record, stats)) {
    const parts = decodeLayout(record.parts);
    if (parts) info.parts = parts;
  }
  return info;
}

/**
 * What a listing shows for `key`: size, Last-Modified, ETag, checksum and part count, by the same rules as
 * objectInfo, but without the headers, user metadata and attachments that no listing answer carries
 * (`meta` is empty, as the storage interface allows for listings).
 */
export function listedObject(key: string, stats: BigIntStats, record: MetaRecord | undefined): ObjectInfo {
  const info: ObjectInfo = {
    key,
    size: 0,
    lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)),
    etag: EMPTY_MD5,
    meta: { userMetadata: {} },
    storageClass: 'STANDARD',
    isDirectoryObject: stats.isDirectory(),
  };
  if (info.isDirectoryObject) {
    // One with bytes: as its record says. A listing takes the record's word without a stat of the body file
    // (GET and HEAD check it, read/dir-body.ts); nobody but the gateway writes under the reserved name.
    if (record?.dirObject && record.body && record.etag) {
      info.size = record.body.size;
      info.etag = record.etag;
      if (record.checksum) info.checksum = record.checksum;
    }
    return info;
  }
  info.size = Number(stats.size);
  if (record && describesContent(record, stats)) {
    info.etag = record.etag!;
    if (record.checksum) info.checksum = record.checksum;
    if (record.partsCount !== undefined) info.partsCount = record.partsCount;
    if (record.storageClass) info.storageClass = record.storageClass;
    // A stub is empty: the object's size is its data's, in the tier.
    if (record.archive) info.size = record.archive.size;
    const restore = restoreOf(record);
    if (restore) info.restore = restore;
  } else {
    info.etag = syntheticEtag(stats);
  }
  return info;
}

/** x-amz-restore's facts: a restore under way, or a restored copy and its expiry. */
function restoreOf(record: MetaRecord): Info['restore'] {
  const a = record.archive;
  if (a?.restoredUntil !== undefined) return { ongoing: false, expiry: new Date(a.restoredUntil) };
  if (a?.restoring) return { ongoing: true };
  return undefined;
}
