/** The storage interface: everything the S3 front end asks of a back end, in typed inputs and outputs. */
import type { Readable, Writable } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';
import type { BucketConfig } from './bucket-config.js';
import type { ObjectLock, ObjectLockConfiguration, Retention } from './object-lock.js';
import type { ObjectAttachments, ObjectInfo, BucketInfo, PutObjectInput, PutObjectResult, ReadHandle, ObjectRef, DeleteObjectInput, DeleteObjectResult, CopyObjectInput, CreateBucketInput, VersioningStatus } from './object-types.js';
import type { ListObjectsInput, ListObjectsResult, ListObjectVersionsInput, ListObjectVersionsResult } from './listing-types.js';
import type { UploadRef, CreateMultipartUploadInput, UploadPartInput, UploadPartResult, UploadPartCopyInput, UploadPartCopyResult, CompleteMultipartUploadInput, CompleteMultipartUploadResult, ListPartsInput, ListPartsResult, ListMultipartUploadsInput, ListMultipartUploadsResult } from './multipart-types.js';

export type { Identity } from '../accounts/identity.js';
export type { AccessControlList, Grant, Grantee, ObjectOwnership, Permission } from './access-control.js';
export type { BucketConfig, CorsRule, PublicAccessBlock, Tag } from './bucket-config.js';
export type { LifecycleFilter, LifecycleRule, LifecycleTransition, NoncurrentTransition } from './lifecycle-rules.js';
export type { DefaultRetention, LockEnforcement, ObjectLock, ObjectLockConfiguration, Retention, RetentionMode } from './object-lock.js';

export type * from './object-types.js';
export type * from './listing-types.js';
export type * from './multipart-types.js';
export type { ChecksumAlgorithm, ChecksumType, ChecksumValue } from '../checksums/types.js';

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
