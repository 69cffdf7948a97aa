/** The storage interface: everything the S3 front end asks of a back end, in typed inputs and outputs. */
import type { Readable, Writable } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';
import type { Identity } from '../accounts/identity.js';
import type { Grant } from './access-control.js';
import type { BucketConfig, Tag } from './bucket-config.js';
import type { ObjectLock, ObjectLockConfiguration, Retention } from './object-lock.js';

export type { Identity } from '../accounts/identity.js';
export type { AccessControlList, Grant, Grantee, ObjectOwnership, Permission } from './access-control.js';
export type { BucketConfig, CorsRule, PublicAccessBlock, Tag } from './bucket-config.js';
export type { LifecycleFilter, LifecycleRule, LifecycleTransition, NoncurrentTransition } from './lifecycle-rules.js';
export type { DefaultRetention, LockEnforcement, ObjectLock, ObjectLockConfiguration, Retention, RetentionMode } from './object-lock.js';

/**
 * Carried by every storage input that touches files: the POSIX identity the request acts as. The back end
 * checks each file access as the kernel would for it, and new files and directories belong to it. Undefined:
 * the gateway's own identity, whose accesses the kernel checks itself.
 */
export interface AsIdentity {
  identity?: Identity;
}

export type { ChecksumAlgorithm, ChecksumType, ChecksumValue } from '../checksums/types.js';
import type { ChecksumAlgorithm, ChecksumType, ChecksumValue } from '../checksums/types.js';

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

export interface CreateBucketInput extends AsIdentity {
  bucket: string;
  owner?: string;
  /** x-amz-bucket-object-lock-enabled: a lock-enabled bucket, versioning Enabled for good. */
  objectLock?: boolean;
}

export type VersioningStatus = 'Enabled' | 'Suspended' | undefined;

/** Names one multipart upload: S3 addresses it by bucket, key and upload id together. */
export interface UploadRef extends AsIdentity {
  bucket: string;
  key: string;
  uploadId: string;
}

export interface CreateMultipartUploadInput extends AsIdentity, ObjectAttachments {
  bucket: string;
  key: string;
  /** What the completed object will have. */
  meta: ObjectMeta;
  /** The checksum every part carries and the completed object gets. */
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
  storageClass?: string;
  /** The user who initiates the upload (Initiator and Owner in listings). */
  initiator: string;
  /** The completed object's lock (x-amz-object-lock-*), applied at Complete. */
  lock?: ObjectLock;
}

/** A checksum of a part: base64, of the upload's algorithm or the one the part request named. */
export interface PartChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
}

export interface UploadPartInput extends UploadRef {
  /** 1..10000. */
  partNumber: number;
  /** The decoded payload, as for PutObject. */
  body: Readable;
  size?: number;
  contentMd5?: Buffer;
  checksum?: PutObjectInput['checksum'];
}

export interface UploadPartResult {
  etag: string;
  checksum?: PartChecksum;
}

export interface UploadPartCopyInput extends UploadRef {
  partNumber: number;
  source: ObjectRef;
  /** The identity the source is read as, when another than `identity` (its bucket's, in identity mode `bucket`). */
  sourceIdentity?: Identity;
  /** Inclusive byte range of the source (x-amz-copy-source-range); the whole object when undefined. */
  range?: { start: number; end: number };
  /** Called with the source's info once it is open; throws to refuse (x-amz-copy-source-if-*). */
  checkSource?: (source: ObjectInfo) => void;
}

export interface UploadPartCopyResult extends UploadPartResult {
  lastModified: Date;
}

/** One entry of a CompleteMultipartUpload request. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** Checksum<ALG> elements the client sent for this part, base64. */
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface CompleteMultipartUploadInput extends UploadRef {
  parts: CompletedPart[];
  /** x-amz-checksum-<alg> / x-amz-checksum-type of the request: the whole object's checksum, verified. */
  checksum?: { algorithm?: ChecksumAlgorithm; value?: string; type?: ChecksumType };
  conditions?: WriteConditions;
}

export interface CompleteMultipartUploadResult {
  etag: string;
  size: number;
  checksum?: ChecksumValue;
  /** The new version's id, in a bucket with versioning. */
  versionId?: string;
}

/** An upload in progress, as ListParts and ListMultipartUploads show it. */
export interface UploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
  initiator: string;
  storageClass: string;
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: Date;
  checksum?: PartChecksum;
}

export interface ListPartsInput extends UploadRef {
  /** 0..1000. */
  maxParts: number;
  /** Only parts with a greater number. */
  partNumberMarker: number;
}

export interface ListPartsResult {
  upload: UploadInfo;
  parts: PartInfo[];
  isTruncated: boolean;
}

export interface ListMultipartUploadsInput extends AsIdentity {
  bucket: string;
  prefix: string;
  delimiter?: string;
  /** Without uploadIdMarker: keys after this one. With it: also the uploads of this key after that id. */
  keyMarker?: string;
  uploadIdMarker?: string;
  /** 0..1000. */
  maxUploads: number;
}

export interface ListMultipartUploadsResult {
  /** In S3 order: by key (UTF-8 bytes), then by initiation. */
  uploads: UploadInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/**
 * One storage back end. Methods take one options object so that later fields (an identity, a version id)
 * are additions, not new signatures. Errors are S3Errors from the table in s3/errors.ts.
 */
export interface Backend {
  listBuckets(): Promise<BucketInfo[]>;
  /** `owner`: the creating user, recorded with the bucket; the directory belongs to `identity`. */
  createBucket(input: CreateBucketInput): Promise<void>;
  headBucket(input: { bucket: string }): Promise<BucketInfo>;
  deleteBucket(input: { bucket: string }): Promise<void>;
  getBucketVersioning(input: { bucket: string }): Promise<VersioningStatus>;
  /** Enabled or Suspended; enabling refuses (InvalidRequest) where the file system cannot keep versions. */
  putBucketVersioning(input: { bucket: string; status: 'Enabled' | 'Suspended' }): Promise<void>;

  putObject(input: PutObjectInput): Promise<PutObjectResult>;
  getObject(input: ObjectRef): Promise<ReadHandle>;
  headObject(input: ObjectRef): Promise<ObjectInfo>;
  /** No error when the key does not exist. */
  deleteObject(input: DeleteObjectInput): Promise<DeleteObjectResult>;
  copyObject(input: CopyObjectInput): Promise<PutObjectResult>;
  listObjects(input: ListObjectsInput): Promise<ListObjectsResult>;
  /** Every version and delete marker; in a bucket that never had versioning, each object as its `null` version. */
  listObjectVersions(input: ListObjectVersionsInput): Promise<ListObjectVersionsResult>;
  /**
   * Replaces those of the object's (or its version's) owner, grants and tags that are given (tags [] removes
   * them); NoSuchKey or NoSuchVersion if none. Answers the version changed, in a versioned bucket.
   */
  putObjectAttachments(input: ObjectRef & ObjectAttachments): Promise<{ versionId?: string }>;

  /**
   * A bucket setting (tags, CORS rules, ownership, ACL, policy…); undefined when it was never set. Read through
   * a cache of a few seconds (fresh after this process changed it): another gateway's change is seen within that.
   */
  getBucketConfig<K extends keyof BucketConfig>(input: { bucket: string; name: K }): Promise<BucketConfig[K] | undefined>;
  /** Every bucket setting at once, as getBucketConfig reads them: what each request's authorization needs, in one read. */
  getBucketConfigs(input: { bucket: string }): Promise<Partial<BucketConfig>>;
  /** Sets a bucket setting, or with `value` undefined removes it. */
  putBucketConfig<K extends keyof BucketConfig>(input: { bucket: string; name: K; value: BucketConfig[K] | undefined }): Promise<void>;

  /** The bucket's object lock configuration; undefined when lock is not enabled. */
  getObjectLockConfiguration(input: { bucket: string }): Promise<ObjectLockConfiguration | undefined>;
  /** Enables lock (versioning must be Enabled: InvalidBucketState) or changes the default retention. */
  putObjectLockConfiguration(input: { bucket: string; config: ObjectLockConfiguration }): Promise<void>;
  /** A version's retention and legal hold (InvalidRequest on a bucket without lock). */
  getObjectLock(input: ObjectRef): Promise<{ versionId?: string; lock: ObjectLock }>;
  /**
   * Sets (or with `retention` undefined removes) a version's retention: extending is always allowed; shortening,
   * removing or a weaker mode needs GOVERNANCE and `bypassGovernance`; COMPLIANCE never (AccessDenied).
   */
  putObjectRetention(input: ObjectRef & { retention?: Retention }): Promise<{ versionId?: string }>;
  /** Sets a version's legal hold ON or OFF. */
  putObjectLegalHold(input: ObjectRef & { legalHold: boolean }): Promise<{ versionId?: string }>;

  createMultipartUpload(input: CreateMultipartUploadInput): Promise<{ uploadId: string }>;
  uploadPart(input: UploadPartInput): Promise<UploadPartResult>;
  uploadPartCopy(input: UploadPartCopyInput): Promise<UploadPartCopyResult>;
  /** Atomic, idempotent under retry (the same parts again answer the same result), safe against a concurrent Complete or Abort. */
  completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult>;
  /** Frees the parts at once; NoSuchUpload afterwards. */
  abortMultipartUpload(input: UploadRef): Promise<void>;
  listParts(input: ListPartsInput): Promise<ListPartsResult>;
  listMultipartUploads(input: ListMultipartUploadsInput): Promise<ListMultipartUploadsResult>;

  /**
   * Moves a version's data (the current one when `versionId` is undefined) to the archive tier for the archive
   * classes (GLACIER, DEEP_ARCHIVE, GLACIER_IR), or only records `storageClass` for the others. `moved` is false
   * when nothing had to change (already there: a concurrent caller, another gateway, did it). Crash-safe and safe
   * against concurrent callers; InvalidStorageClass for an unknown class or an archive class without an archive
   * tier; NoSuchKey/NoSuchVersion when the version is gone. The lifecycle job's transitions.
   */
  transitionObject(bucket: string, key: string, versionId: string | undefined, storageClass: string, signal?: AbortSignal): Promise<{ moved: boolean }>;
  /**
   * RestoreObject: starts a restore of an archived GLACIER or DEEP_ARCHIVE object for `days` (started: true; the
   * copy appears in the background), or moves a restored copy's expiry (started: false). RestoreAlreadyInProgress
   * while one runs; InvalidObjectState for any other class.
   */
  restoreObject(input: ObjectRef & { days: number }): Promise<{ started: boolean }>;

  /** Release resources (timers, handles) on shutdown. */
  close(): Promise<void>;
}

/** A base whose every operation answers NotImplemented: a new operation is one method away. */
export class NotImplementedBackend implements Backend {
  protected notImplemented(op: string): never {
    throw new S3Error('NotImplemented', `${op} is not implemented by this storage back end.`);
  }
  async listBuckets(): Promise<BucketInfo[]> { return this.notImplemented('ListBuckets'); }
  async createBucket(_: CreateBucketInput): Promise<void> { return this.notImplemented('CreateBucket'); }
  async headBucket(_: { bucket: string }): Promise<BucketInfo> { return this.notImplemented('HeadBucket'); }
  async deleteBucket(_: { bucket: string }): Promise<void> { return this.notImplemented('DeleteBucket'); }
  async getBucketVersioning(_: { bucket: string }): Promise<VersioningStatus> { return this.notImplemented('GetBucketVersioning'); }
  async putBucketVersioning(_: { bucket: string; status: 'Enabled' | 'Suspended' }): Promise<void> { return this.notImplemented('PutBucketVersioning'); }
  async putObject(_: PutObjectInput): Promise<PutObjectResult> { return this.notImplemented('PutObject'); }
  async getObjectLockConfiguration(_: { bucket: string }): Promise<ObjectLockConfiguration | undefined> { return this.notImplemented('GetObjectLockConfiguration'); }
  async putObjectLockConfiguration(_: { bucket: string; config: ObjectLockConfiguration }): Promise<void> { return this.notImplemented('PutObjectLockConfiguration'); }
  async getObjectLock(_: ObjectRef): Promise<{ versionId?: string; lock: ObjectLock }> { return this.notImplemented('GetObjectRetention'); }
  async putObjectRetention(_: ObjectRef & { retention?: Retention }): Promise<{ versionId?: string }> { return this.notImplemented('PutObjectRetention'); }
  async putObjectLegalHold(_: ObjectRef & { legalHold: boolean }): Promise<{ versionId?: string }> { return this.notImplemented('PutObjectLegalHold'); }
  async getObject(_: ObjectRef): Promise<ReadHandle> { return this.notImplemented('GetObject'); }
  async headObject(_: ObjectRef): Promise<ObjectInfo> { return this.notImplemented('HeadObject'); }
  async deleteObject(_: DeleteObjectInput): Promise<DeleteObjectResult> { return this.notImplemented('DeleteObject'); }
  async copyObject(_: CopyObjectInput): Promise<PutObjectResult> { return this.notImplemented('CopyObject'); }
  async listObjects(_: ListObjectsInput): Promise<ListObjectsResult> { return this.notImplemented('ListObjects'); }
  async listObjectVersions(_: ListObjectVersionsInput): Promise<ListObjectVersionsResult> { return this.notImplemented('ListObjectVersions'); }
  async putObjectAttachments(_: ObjectRef & ObjectAttachments): Promise<{ versionId?: string }> { return this.notImplemented('PutObjectTagging'); }
  async getBucketConfig<K extends keyof BucketConfig>(_: { bucket: string; name: K }): Promise<BucketConfig[K] | undefined> { return this.notImplemented('GetBucketConfig'); }
  async getBucketConfigs(_: { bucket: string }): Promise<Partial<BucketConfig>> { return this.notImplemented('GetBucketConfig'); }
  async putBucketConfig<K extends keyof BucketConfig>(_: { bucket: string; name: K; value: BucketConfig[K] | undefined }): Promise<void> { return this.notImplemented('PutBucketConfig'); }
  async createMultipartUpload(_: CreateMultipartUploadInput): Promise<{ uploadId: string }> { return this.notImplemented('CreateMultipartUpload'); }
  async uploadPart(_: UploadPartInput): Promise<UploadPartResult> { return this.notImplemented('UploadPart'); }
  async uploadPartCopy(_: UploadPartCopyInput): Promise<UploadPartCopyResult> { return this.notImplemented('UploadPartCopy'); }
  async completeMultipartUpload(_: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult> { return this.notImplemented('CompleteMultipartUpload'); }
  async abortMultipartUpload(_: UploadRef): Promise<void> { return this.notImplemented('AbortMultipartUpload'); }
  async listParts(_: ListPartsInput): Promise<ListPartsResult> { return this.notImplemented('ListParts'); }
  async listMultipartUploads(_: ListMultipartUploadsInput): Promise<ListMultipartUploadsResult> { return this.notImplemented('ListMultipartUploads'); }
  async transitionObject(_bucket: string, _key: string, _versionId: string | undefined, _storageClass: string, _signal?: AbortSignal): Promise<{ moved: boolean }> {
    return this.notImplemented('Transition');
  }
  async restoreObject(_: ObjectRef & { days: number }): Promise<{ started: boolean }> { return this.notImplemented('RestoreObject'); }
  async close(): Promise<void> {}
}

/**
 * A body stream that can also send itself: writeTo(dest) writes everything to `dest`, ends it, and resolves once
 * it is sent (it can reuse its buffers, which piping cannot tell it is safe to do).
 */
export function writesItself(body: Readable): body is Readable & { writeTo(dest: Writable): Promise<void> } {
  return typeof (body as Readable & { writeTo?: unknown }).writeTo === 'function';
}
