/** The storage interface's types for objects: what is stored with one, and the inputs and results of its reads, writes, copies and deletes. */
import type { Readable } from 'node:stream';
import type { Identity } from '../accounts/identity.js';
import type { Grant } from './access-control.js';
import type { Tag } from './bucket-config.js';
import type { ObjectLock, Retention } from './object-lock.js';
import type { ChecksumAlgorithm, ChecksumValue } from '../checksums/types.js';

/**
 * Carried by every storage input that touches files: the POSIX identity the request acts as. The back end
 * checks each file access as the kernel would for it, and new files and directories belong to it. Undefined:
 * the gateway's own identity, whose accesses the kernel checks itself.
 */
export interface AsIdentity {
  identity?: Identity;
}

/** The standard headers and user metadata stored with an object. */
export interface ObjectMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** x-amz-meta-* without the prefix, names lower-cased. */
  userMetadata: Record<string, string>;
}

/**
 * What S3 attaches to an object besides its bytes and headers. Kept with the object's content: a NAS user who
 * replaces the content drops them, as a new PUT would.
 */
export interface ObjectAttachments {
  /** The S3 user who wrote the object (its owner). */
  owner?: string;
  /** The ACL's grants; undefined is the default ACL: the owner's FULL_CONTROL alone. */
  grants?: Grant[];
  tags?: Tag[];
}

/** What a HEAD, GET or listing knows of one object. */
export interface ObjectInfo extends ObjectAttachments {
  key: string;
  size: number;
  lastModified: Date;
  /** Without quotes: 32 hex (MD5), `hex-N` (multipart), or a synthetic form that is never 32 hex alone. */
  etag: string;
  meta: ObjectMeta;
  checksum?: ChecksumValue;
  storageClass: string;
  isDirectoryObject: boolean;
  /** Number of parts, for multipart objects. */
  partsCount?: number;
  /** The parts of a multipart object, in order (GET ?partNumber, GetObjectAttributes). */
  parts?: ObjectPart[];
  /** Its version id, in a bucket with versioning (S3's x-amz-version-id). */
  versionId?: string;
  /** Its retention and legal hold, in a bucket with object lock (GET and HEAD show them). */
  lock?: ObjectLock;
  /** An archived object's restore (x-amz-restore): one under way, or a restored copy readable until `expiry`. */
  restore?: { ongoing: true } | { ongoing: false; expiry: Date };
}

/** One part of a completed multipart object: its size and, when the upload had an algorithm, its checksum (base64). */
export interface ObjectPart {
  size: number;
  checksum?: string;
}

export interface BucketInfo {
  name: string;
  creationDate: Date;
  /** The user who created the bucket through S3, when known (bucket ownership). */
  owner?: string;
  /** The bucket has an archive tier: the archive storage classes (GLACIER, DEEP_ARCHIVE, GLACIER_IR) can be used. */
  archiveTier?: boolean;
}

/** An entity-tag condition, parsed from its header: `*` (any object), or the ETags it names, bare (no quotes, no W/). */
export type EtagCondition = '*' | readonly string[];

/** Conditions on the current object that a write must satisfy (412 PreconditionFailed otherwise). */
export interface WriteConditions {
  /** The key must exist (NoSuchKey otherwise) with one of these ETags. */
  ifMatch?: EtagCondition;
  /** The key must not exist: S3 accepts only `*` here. Checked atomically. */
  ifNoneMatch?: '*';
}

export interface PutObjectInput extends AsIdentity, ObjectAttachments {
  bucket: string;
  key: string;
  /** The decoded payload (aws-chunked framing already removed, signatures already being checked). */
  body: Readable;
  /** The payload length the client declared; fewer or more bytes is IncompleteBody / BadDigest. */
  size?: number;
  meta: ObjectMeta;
  /** The 16-byte MD5 the client declared (Content-MD5): verified before the object becomes visible (BadDigest). */
  contentMd5?: Buffer;
  /** A checksum to compute, store and (when `expected` gives a value) verify before commit (BadDigest). */
  checksum?: { algorithm: ChecksumAlgorithm; expected?: () => string | undefined };
  conditions?: WriteConditions;
  /** Retention and legal hold asked for by the request (x-amz-object-lock-*); the bucket's default applies without. */
  lock?: ObjectLock;
  /** x-amz-storage-class (STANDARD when undefined): an archive class puts the data in the archive tier. */
  storageClass?: string;
}

export interface PutObjectResult {
  etag: string;
  lastModified: Date;
  checksum?: ChecksumValue;
  /** The new version's id, in a bucket with versioning (`null` while suspended). */
  versionId?: string;
  /** CopyObject: the version copied, when the source bucket has versioning. */
  sourceVersionId?: string;
}

/** An open object: its info, fixed at open time, and a way to stream its bytes. Always close(). */
export interface ReadHandle {
  info: ObjectInfo;
  /**
   * The bytes from start to end inclusive, or the whole object. The stream may also write itself to a
   * destination (see writesItself), which the sender then prefers to piping.
   */
  stream(range?: { start: number; end: number }): Readable;
  close(): Promise<void>;
}

export interface ObjectRef extends AsIdentity {
  bucket: string;
  key: string;
  /** A version of the object (the `versionId` query); the current one when undefined. */
  versionId?: string;
  /** Deleting: the requester may bypass GOVERNANCE retention, and asked to (x-amz-bypass-governance-retention). */
  bypassGovernance?: boolean;
}

/** DeleteObject's input: the object or version, and who asks (in a versioned bucket, a delete marker's Owner). */
export interface DeleteObjectInput extends ObjectRef {
  /** The requesting S3 user: recorded as the owner of a delete marker the delete makes. */
  owner?: string;
  /** Conditions the object (the version named, else the current one) must meet, or nothing is deleted (412). */
  conditions?: DeleteConditions;
}

/** The conditions of a conditional delete; each one given must hold. */
export interface DeleteConditions {
  ifMatch?: EtagCondition;
  /** Compared in whole seconds, as Last-Modified is sent. */
  lastModified?: Date;
  size?: number;
  /**
   * Compared to the millisecond: no header sets it; the lifecycle's expiration gives the time it saw, so that a
   * write in the same second as the one it planned for (a NAS user's, whose ETag may be the same) is never deleted.
   */
  modifiedAt?: Date;
}

/** What DeleteObject did, in a versioned bucket: the version it made or deleted, and whether that is a delete marker. */
export interface DeleteObjectResult {
  versionId?: string;
  deleteMarker?: boolean;
}

/** Owner, grants and tags of the copy; `tags` undefined keeps the source's (x-amz-tagging-directive COPY). */
export interface CopyObjectInput extends AsIdentity, ObjectAttachments {
  source: ObjectRef;
  /** The identity the source is read as, when another than `identity` (its bucket's, in identity mode `bucket`). */
  sourceIdentity?: Identity;
  bucket: string;
  key: string;
  /** New metadata (directive REPLACE); undefined keeps the source's (COPY). */
  meta?: ObjectMeta;
  /** Called with the source's info once it is open; throws to refuse (x-amz-copy-source-if-*). */
  checkSource?: (source: ObjectInfo) => void;
  conditions?: WriteConditions;
  /** The copy's lock (x-amz-object-lock-*): a copy never takes its source's. */
  lock?: ObjectLock;
  /** The copy's class (x-amz-storage-class); STANDARD when undefined, as S3 does. */
  storageClass?: string;
}

export interface CreateBucketInput extends AsIdentity {
  bucket: string;
  owner?: string;
  /** x-amz-bucket-object-lock-enabled: a lock-enabled bucket, versioning Enabled for good. */
  objectLock?: boolean;
}

export type VersioningStatus = 'Enabled' | 'Suspended' | undefined;
