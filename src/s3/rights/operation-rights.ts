/**
 * The S3 right each operation needs, named once, by operation name. An operation missing from the table needs
 * bucket ownership (or an administrator): a new operation is refused to ordinary users until it is listed here.
 */

/**
 * - `any`: every authenticated user (ListBuckets, which then shows only the buckets the user has access to)
 * - `read` / `write`: read-only or read-write access to the bucket addressed
 * - `owner`: the bucket's owner or an administrator (deleting it, changing its configuration)
 * - `create`: the right to create buckets
 */
export type NeededRight = 'any' | 'read' | 'write' | 'owner' | 'create';

export interface OperationRight {
  bucket: NeededRight;
  /** CopyObject, UploadPartCopy: read on the source object's bucket too. */
  copySource?: 'read';
}

const READ: OperationRight = { bucket: 'read' };
const WRITE: OperationRight = { bucket: 'write' };
const OWNER: OperationRight = { bucket: 'owner' };
const COPY: OperationRight = { bucket: 'write', copySource: 'read' };

export const OPERATION_RIGHTS: Readonly<Record<string, OperationRight>> = {
  ListBuckets: { bucket: 'any' },
  CreateBucket: { bucket: 'create' },
  DeleteBucket: OWNER,

  HeadBucket: READ,
  GetBucketLocation: READ,
  GetBucketVersioning: READ,
  ListObjects: READ,
  ListObjectsV2: READ,
  ListObjectVersions: READ,
  ListMultipartUploads: READ,
  GetBucketTagging: READ,
  GetBucketAcl: READ,
  GetBucketCors: READ,
  GetBucketPolicy: READ,
  GetBucketPolicyStatus: READ,
  GetBucketLifecycleConfiguration: READ,
  GetBucketEncryption: READ,
  GetObjectLockConfiguration: READ,
  GetBucketOwnershipControls: READ,

  GetObject: READ,
  HeadObject: READ,
  GetObjectTagging: READ,
  GetObjectAcl: READ,
  GetObjectAttributes: READ,
  GetObjectRetention: READ,
  GetObjectLegalHold: READ,
  ListParts: READ,

  PutObject: WRITE,
  DeleteObject: WRITE,
  DeleteObjects: WRITE,
  CopyObject: COPY,
  CreateMultipartUpload: WRITE,
  UploadPart: WRITE,
  UploadPartCopy: COPY,
  CompleteMultipartUpload: WRITE,
  AbortMultipartUpload: WRITE,
  PutObjectTagging: WRITE,
  DeleteObjectTagging: WRITE,
  PutObjectAcl: WRITE,
  PutObjectRetention: WRITE,
  PutObjectLegalHold: WRITE,
  RestoreObject: WRITE,
};

/** The right `operation` needs: from the table, else bucket ownership. */
export function rightFor(operation: string): OperationRight {
  return Object.hasOwn(OPERATION_RIGHTS, operation) ? OPERATION_RIGHTS[operation]! : OWNER;
}
