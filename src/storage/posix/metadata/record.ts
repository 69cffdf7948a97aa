/** The metadata record stored with each object (one JSON value), and the staleness check against the file. */
import type { BigIntStats } from 'node:fs';
import type { ChecksumValue, ObjectAttachments, ObjectMeta } from '../../backend.js';
import type { StoredLayout } from '../multipart/part-layout.js';

/**
 * What the gateway stores for one file or directory. Content fields describe the inode as written; so do the
 * attachments (owner, grants, tags), which hold only while the content is the one written (sameContent).
 */
export interface MetaRecord extends ObjectAttachments {
  v: 1;
  /** Inode number the record was written for (decimal string: JSON has no 64-bit integers). */
  ino: string;
  /** Content identity as written: size, mtime in ns (decimal string), ETag. Files only. */
  size?: number;
  mtimeNs?: string;
  etag?: string;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  userMetadata?: Record<string, string>;
  checksum?: ChecksumValue;
  partsCount?: number;
  /** The part sizes and checksums of a multipart object (multipart/part-layout.ts). */
  parts?: StoredLayout;
  /** A directory that is an object of its own (key ending in '/'). */
  dirObject?: boolean;
  /** A directory object's bytes, when it has any (read/dir-body.ts): the body file's content identity as written. */
  body?: DirBody;
  /** A directory the gateway created for a write: removed again when it empties. */
  made?: boolean;
  /** A NAS user's directory whose last key went through S3: kept, but no folder (read/directory-object.ts). */
  emptied?: boolean;
  /** The storage class given (PUT, copy, multipart, a transition); STANDARD when absent. */
  storageClass?: string;
  /** Where the data is in the archive tier, for an object of an archive class once moved (archive/ explains). */
  archive?: ArchivedData;
}

/** Where a directory object's bytes are: the inode, size and mtime (ns, decimal) of its body file as written. */
export interface DirBody {
  ino: string;
  size: number;
  mtimeNs: string;
}

/**
 * An archived object's data in the tier. On a stub (the empty file left at the object's path) it says where the
 * bytes are; on a restored copy it also gives the copy's expiry. `size` is the object's real size either way.
 */
export interface ArchivedData {
  /** The data file's name in the bucket's archive directory. */
  file: string;
  size: number;
  /** A restore under way: the Days asked for and when it was asked (ISO 8601). */
  restoring?: { days: number; since: string };
  /** Set on a restored copy (the file is the data, not a stub): when it goes back to a stub (ISO 8601). */
  restoredUntil?: string;
}


/** The record of freshly written content: `stats` of the data file, its ETag and headers. */
export function contentRecord(stats: BigIntStats, etag: string, meta: ObjectMeta,
  extra: Pick<MetaRecord, 'checksum' | 'partsCount' | 'parts' | 'owner' | 'grants' | 'tags' | 'storageClass'> = {}): MetaRecord {
  return {
    v: 1, ino: String(stats.ino), size: Number(stats.size), mtimeNs: String(stats.mtimeNs), etag,
    ...headersOf(meta), userMetadata: { ...meta.userMetadata }, ...extra,
  };
}

/** The record field for a written object's class: none for STANDARD (the default), so most records stay as they were. */
export function classOf(storageClass: string | undefined): Pick<MetaRecord, 'storageClass'> {
  return storageClass === undefined || storageClass === 'STANDARD' ? {} : { storageClass };
}

/**
 * The record of a directory: a directory object with its headers (and, when it has bytes, their ETag, checksum
 * and body file), and/or a gateway-made directory.
 */
export function directoryRecord(ino: bigint, opts: { meta?: ObjectMeta; made: boolean; attachments?: ObjectAttachments;
  content?: { etag: string; checksum?: ChecksumValue; body: DirBody } }): MetaRecord {
  const r: MetaRecord = { v: 1, ino: String(ino) };
  if (opts.meta) Object.assign(r, headersOf(opts.meta), { userMetadata: { ...opts.meta.userMetadata }, dirObject: true }, opts.attachments);
  if (opts.meta && opts.content) Object.assign(r, { etag: opts.content.etag, body: opts.content.body }, opts.content.checksum ? { checksum: opts.content.checksum } : {});
  if (opts.made) r.made = true;
  return r;
}

type Headers = Pick<ObjectMeta, typeof HEADER_NAMES[number]>;
const HEADER_NAMES = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires'] as const;

function headersOf(meta: Headers): Headers {
  const r: Headers = {};
  for (const k of HEADER_NAMES) {
    if (meta[k] !== undefined) r[k] = meta[k];
  }
  return r;
}

/** The headers and user metadata of a record, as the storage interface carries them. */
export function metaOf(record: MetaRecord | undefined): ObjectMeta {
  const meta: ObjectMeta = { userMetadata: { ...(record?.userMetadata ?? {}) } };
  if (record) Object.assign(meta, headersOf(record));
  return meta;
}

/** Serialises a record for an xattr value or a sidecar file. */
export function encodeRecord(record: MetaRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

/** Parses a stored record; anything unreadable or of another version is no record at all. */
export function decodeRecord(data: Buffer | string): MetaRecord | undefined {
  try {
    const r = JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as MetaRecord;
    return r && typeof r === 'object' && r.v === 1 && typeof r.ino === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the record's content fields still describe the file: same inode, size and mtime as written.
 * A mismatch means the file was changed outside S3, so its ETag, checksum and parts no longer hold.
 */
export function describesContent(record: MetaRecord, stats: Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>): boolean {
  return record.etag !== undefined && sameContent(record, stats);
}

/**
 * Whether the record was written for the file's present content (same inode, size and mtime), with or without
 * an ETag: a record that tags a file changed outside S3 has none, yet its tags describe the content as tagged.
 */
export function sameContent(record: MetaRecord, stats: Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>): boolean {
  return record.ino === String(stats.ino) && record.size === Number(stats.size) && record.mtimeNs === String(stats.mtimeNs);
}
