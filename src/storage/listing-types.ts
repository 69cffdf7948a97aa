/** The storage interface's types for listings: ListObjects and ListObjectVersions inputs and results. */
import type { AsIdentity, ObjectInfo } from './object-types.js';

export interface ListObjectsInput extends AsIdentity {
  bucket: string;
  prefix: string;
  /** Any string; empty or undefined means no roll-up. */
  delimiter?: string;
  /** Exclusive: only keys (or rolled-up prefixes) greater than this, in UTF-8 byte order. */
  startAfter?: string;
  /** 0..1000. */
  maxKeys: number;
  /**
   * The caller only plans from the page and looks at each key again before acting on it (the lifecycle job): a
   * file's stats and record, which a writer replacing the file between the two reads can make describe two
   * files, are taken as read instead of looked at again (an lstat per file written outside S3, half a scan's time).
   */
  forPlanning?: boolean;
}

export interface ListObjectsResult {
  /** Keys and prefixes in S3 order; `meta` may be empty in listings. */
  objects: ObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts after. */
  lastItem?: string;
}

export interface ListObjectVersionsInput extends AsIdentity {
  bucket: string;
  prefix: string;
  delimiter?: string;
  /** Exclusive, with versionIdMarker: the page starts after that version of this key; alone, after the key. */
  keyMarker?: string;
  /** Only with keyMarker (InvalidArgument otherwise); `null` or an id of ours (InvalidArgument otherwise). */
  versionIdMarker?: string;
  /** 0..1000: versions, delete markers and common prefixes together. */
  maxKeys: number;
}

/** One entry of ListObjectVersions: a version (with what a listing knows of it) or a delete marker. */
export interface ListedVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: Date;
  /** The S3 user who wrote it, where recorded. */
  owner?: string;
  /** Versions only: size, ETag, checksum, storage class as ListObjects shows them. */
  object?: ObjectInfo;
}

export interface ListObjectVersionsResult {
  /** Versions and delete markers together, in answer order: keys in S3 order, each key's newest first. */
  versions: ListedVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  /** Undefined when the page ends on a common prefix. */
  nextVersionIdMarker?: string;
}
