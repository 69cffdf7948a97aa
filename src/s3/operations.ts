/**
 * The S3 operations, one row each: how a request is recognised as it (target, method, subresource), the
 * handler that answers it, the IAM action a bucket policy names it by, the S3 right it needs and the ACL
 * permission that can grant it. Adding an
 * operation is one row here and one handler file under ops/; a row without a handler answers 501
 * NotImplemented, naming the operation. Recognition runs over the rows in order (resolve.ts).
 */
import type { HeaderName } from '../http/headers.js';
import type { Permission } from '../storage/backend.js';
import type { Handler } from './types.js';
import { AbortMultipartUpload } from './ops/abort-multipart-upload.js';
import { GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl } from './ops/acl.js';
import { DeleteBucketPolicy, GetBucketPolicy, GetBucketPolicyStatus, PutBucketPolicy } from './ops/bucket-policy.js';
import { DeleteBucketTagging, GetBucketTagging, PutBucketTagging } from './ops/bucket-tagging.js';
import { CreateBucket, DeleteBucket, GetBucketLocation, HeadBucket, ListBuckets } from './ops/buckets.js';
import { CompleteMultipartUpload } from './ops/complete-multipart-upload.js';
import { CopyObject } from './ops/copy.js';
import { DeleteBucketCors, GetBucketCors, PutBucketCors } from './ops/cors.js';
import { DeleteBucketLifecycle, GetBucketLifecycleConfiguration, PutBucketLifecycleConfiguration } from './ops/lifecycle.js';
import { CreateMultipartUpload } from './ops/create-multipart-upload.js';
import { DeleteObjects } from './ops/delete-objects.js';
import { PostObject } from './ops/post-object.js';
import { ListMultipartUploads } from './ops/list-multipart-uploads.js';
import { ListParts } from './ops/list-parts.js';
import { ListObjects, ListObjectsV2 } from './ops/listing.js';
import { GetObjectAttributes } from './ops/object-attributes.js';
import { DeleteObject, GetObject, HeadObject, PutObject } from './ops/objects.js';
import { DeleteBucketOwnershipControls, GetBucketOwnershipControls, PutBucketOwnershipControls } from './ops/ownership-controls.js';
import { DeletePublicAccessBlock, GetPublicAccessBlock, PutPublicAccessBlock } from './ops/public-access-block.js';
import { DeleteObjectTagging, GetObjectTagging, PutObjectTagging } from './ops/tagging.js';
import { UploadPartCopy } from './ops/upload-part-copy.js';
import { UploadPart } from './ops/upload-part.js';
import { GetBucketVersioning, ListObjectVersions, PutBucketVersioning } from './ops/versioning.js';
import { RestoreObject } from './ops/restore.js';
import { GetObjectLockConfiguration, PutObjectLockConfiguration } from './ops/object-lock.js';
import {
  GetBucketAccelerateConfiguration, GetBucketEncryption, GetBucketLogging, GetBucketNotificationConfiguration, GetBucketReplication,
  GetBucketRequestPayment, GetBucketWebsite,
} from './ops/unsettable-configs.js';
import { GetObjectLegalHold, GetObjectRetention, PutObjectLegalHold, PutObjectRetention } from './ops/retention.js';

/**
 * - `any`: every authenticated user (ListBuckets, which then shows only the buckets the user has access to)
 * - `read` / `write`: read-only or read-write access to the bucket addressed
 * - `owner`: the bucket's owner or an administrator (deleting it, changing its configuration)
 * - `create`: the right to create buckets
 */
export type NeededRight = 'any' | 'read' | 'write' | 'owner' | 'create';

/** The S3 right an operation needs (rights/authorize.ts checks it). */
export interface OperationRight {
  bucket: NeededRight;
  /** CopyObject, UploadPartCopy: read on the source object's bucket too. */
  copySource?: 'read';
}

/** What an ACL grant must give for an operation: a permission on the addressed object, or on its bucket. */
export interface GrantNeed {
  on: 'object' | 'bucket';
  permission: Permission;
}

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

/** One operation. */
export interface Operation {
  /** What the path addresses: no bucket, a bucket, or an object in it. */
  target: 'service' | 'bucket' | 'object';
  method: HttpMethod;
  /** The subresource query parameter that names it (`?acl`); absent for the bucket or object itself. */
  sub?: string;
  /** Set apart from the row of the same target, method and subresource by a query value or a header. */
  when?: { query: string; is: string } | { header: HeaderName };
  /** The IAM action bucket policies name it by (`s3:GetObject`; ListObjectsV2 and HeadBucket are `s3:ListBucket`). */
  action: `s3:${string}`;
  right: OperationRight;
  /** The ACL permission that can grant it where rights refuse; without one, no ACL can. */
  grant?: GrantNeed;
  /** Absent: recognised, but answered 501 NotImplemented. */
  handler?: Handler;
  /**
   * `handler`: authorization waits for the handler, which learns the key and signer from the body and authorizes
   * through S3Request.authorize (PostObject).
   */
  authorizedBy?: 'handler';
  /**
   * The keys come in the body (DeleteObjects): the request passes when rights or a grant allow it, or when the
   * bucket has a policy, which the handler then applies to each key (S3Request.authorize).
   */
  keysInBody?: true;
}

const ANY: OperationRight = { bucket: 'any' };
const CREATE: OperationRight = { bucket: 'create' };
const READ: OperationRight = { bucket: 'read' };
const WRITE: OperationRight = { bucket: 'write' };
const OWNER: OperationRight = { bucket: 'owner' };
const COPY: OperationRight = { bucket: 'write', copySource: 'read' };

const OBJECT_READ: GrantNeed = { on: 'object', permission: 'READ' };
const BUCKET_READ: GrantNeed = { on: 'bucket', permission: 'READ' };
const BUCKET_WRITE: GrantNeed = { on: 'bucket', permission: 'WRITE' };

const COPY_SOURCE = { header: 'x-amz-copy-source' } as const;

/** Every operation by name, in the order recognition tries their subresources (the resource itself last). */
export const OPERATIONS = {
  ListBuckets: { target: 'service', method: 'GET', action: 's3:ListAllMyBuckets', right: ANY, handler: ListBuckets },

  GetBucketVersioning: { target: 'bucket', method: 'GET', action: 's3:GetBucketVersioning', sub: 'versioning', right: READ, handler: GetBucketVersioning },
  PutBucketVersioning: { target: 'bucket', method: 'PUT', action: 's3:PutBucketVersioning', sub: 'versioning', right: OWNER, handler: PutBucketVersioning },
  ListObjectVersions: { target: 'bucket', method: 'GET', action: 's3:ListBucketVersions', sub: 'versions', right: READ, grant: BUCKET_READ, handler: ListObjectVersions },
  GetBucketLocation: { target: 'bucket', method: 'GET', action: 's3:GetBucketLocation', sub: 'location', right: READ, grant: BUCKET_READ, handler: GetBucketLocation },
  ListMultipartUploads: { target: 'bucket', method: 'GET', action: 's3:ListBucketMultipartUploads', sub: 'uploads', right: READ, grant: BUCKET_READ, handler: ListMultipartUploads },
  DeleteObjects: { target: 'bucket', method: 'POST', action: 's3:DeleteObject', sub: 'delete', right: WRITE, grant: BUCKET_WRITE, handler: DeleteObjects, keysInBody: true },
  GetBucketAcl: { target: 'bucket', method: 'GET', action: 's3:GetBucketAcl', sub: 'acl', right: READ, grant: { on: 'bucket', permission: 'READ_ACP' }, handler: GetBucketAcl },
  PutBucketAcl: { target: 'bucket', method: 'PUT', action: 's3:PutBucketAcl', sub: 'acl', right: OWNER, grant: { on: 'bucket', permission: 'WRITE_ACP' }, handler: PutBucketAcl },
  GetBucketCors: { target: 'bucket', method: 'GET', action: 's3:GetBucketCORS', sub: 'cors', right: READ, handler: GetBucketCors },
  PutBucketCors: { target: 'bucket', method: 'PUT', action: 's3:PutBucketCORS', sub: 'cors', right: OWNER, handler: PutBucketCors },
  DeleteBucketCors: { target: 'bucket', method: 'DELETE', action: 's3:PutBucketCORS', sub: 'cors', right: OWNER, handler: DeleteBucketCors },
  GetBucketTagging: { target: 'bucket', method: 'GET', action: 's3:GetBucketTagging', sub: 'tagging', right: READ, handler: GetBucketTagging },
  PutBucketTagging: { target: 'bucket', method: 'PUT', action: 's3:PutBucketTagging', sub: 'tagging', right: OWNER, handler: PutBucketTagging },
  DeleteBucketTagging: { target: 'bucket', method: 'DELETE', action: 's3:PutBucketTagging', sub: 'tagging', right: OWNER, handler: DeleteBucketTagging },
  GetBucketPolicy: { target: 'bucket', method: 'GET', action: 's3:GetBucketPolicy', sub: 'policy', right: OWNER, handler: GetBucketPolicy },
  PutBucketPolicy: { target: 'bucket', method: 'PUT', action: 's3:PutBucketPolicy', sub: 'policy', right: OWNER, handler: PutBucketPolicy },
  DeleteBucketPolicy: { target: 'bucket', method: 'DELETE', action: 's3:DeleteBucketPolicy', sub: 'policy', right: OWNER, handler: DeleteBucketPolicy },
  GetBucketPolicyStatus: { target: 'bucket', method: 'GET', action: 's3:GetBucketPolicyStatus', sub: 'policyStatus', right: OWNER, handler: GetBucketPolicyStatus },
  GetBucketLifecycleConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetLifecycleConfiguration', sub: 'lifecycle', right: READ, handler: GetBucketLifecycleConfiguration },
  PutBucketLifecycleConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutLifecycleConfiguration', sub: 'lifecycle', right: OWNER, handler: PutBucketLifecycleConfiguration },
  DeleteBucketLifecycle: { target: 'bucket', method: 'DELETE', action: 's3:PutLifecycleConfiguration', sub: 'lifecycle', right: OWNER, handler: DeleteBucketLifecycle },
  GetBucketEncryption: { target: 'bucket', method: 'GET', action: 's3:GetEncryptionConfiguration', sub: 'encryption', right: READ, handler: GetBucketEncryption },
  PutBucketEncryption: { target: 'bucket', method: 'PUT', action: 's3:PutEncryptionConfiguration', sub: 'encryption', right: OWNER },
  DeleteBucketEncryption: { target: 'bucket', method: 'DELETE', action: 's3:PutEncryptionConfiguration', sub: 'encryption', right: OWNER },
  GetObjectLockConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetBucketObjectLockConfiguration', sub: 'object-lock', right: READ, handler: GetObjectLockConfiguration },
  PutObjectLockConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutBucketObjectLockConfiguration', sub: 'object-lock', right: OWNER, handler: PutObjectLockConfiguration },
  GetBucketOwnershipControls: { target: 'bucket', method: 'GET', action: 's3:GetBucketOwnershipControls', sub: 'ownershipControls', right: READ, handler: GetBucketOwnershipControls },
  PutBucketOwnershipControls: { target: 'bucket', method: 'PUT', action: 's3:PutBucketOwnershipControls', sub: 'ownershipControls', right: OWNER, handler: PutBucketOwnershipControls },
  DeleteBucketOwnershipControls: { target: 'bucket', method: 'DELETE', action: 's3:DeleteBucketOwnershipControls', sub: 'ownershipControls', right: OWNER, handler: DeleteBucketOwnershipControls },
  GetPublicAccessBlock: { target: 'bucket', method: 'GET', action: 's3:GetBucketPublicAccessBlock', sub: 'publicAccessBlock', right: OWNER, handler: GetPublicAccessBlock },
  PutPublicAccessBlock: { target: 'bucket', method: 'PUT', action: 's3:PutBucketPublicAccessBlock', sub: 'publicAccessBlock', right: OWNER, handler: PutPublicAccessBlock },
  DeletePublicAccessBlock: { target: 'bucket', method: 'DELETE', action: 's3:PutBucketPublicAccessBlock', sub: 'publicAccessBlock', right: OWNER, handler: DeletePublicAccessBlock },
  GetBucketWebsite: { target: 'bucket', method: 'GET', action: 's3:GetBucketWebsite', sub: 'website', right: OWNER, handler: GetBucketWebsite },
  PutBucketWebsite: { target: 'bucket', method: 'PUT', action: 's3:PutBucketWebsite', sub: 'website', right: OWNER },
  DeleteBucketWebsite: { target: 'bucket', method: 'DELETE', action: 's3:DeleteBucketWebsite', sub: 'website', right: OWNER },
  GetBucketLogging: { target: 'bucket', method: 'GET', action: 's3:GetBucketLogging', sub: 'logging', right: OWNER, handler: GetBucketLogging },
  PutBucketLogging: { target: 'bucket', method: 'PUT', action: 's3:PutBucketLogging', sub: 'logging', right: OWNER },
  GetBucketNotificationConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetBucketNotification', sub: 'notification', right: OWNER, handler: GetBucketNotificationConfiguration },
  PutBucketNotificationConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutBucketNotification', sub: 'notification', right: OWNER },
  GetBucketReplication: { target: 'bucket', method: 'GET', action: 's3:GetReplicationConfiguration', sub: 'replication', right: OWNER, handler: GetBucketReplication },
  PutBucketReplication: { target: 'bucket', method: 'PUT', action: 's3:PutReplicationConfiguration', sub: 'replication', right: OWNER },
  DeleteBucketReplication: { target: 'bucket', method: 'DELETE', action: 's3:PutReplicationConfiguration', sub: 'replication', right: OWNER },
  GetBucketAccelerateConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetAccelerateConfiguration', sub: 'accelerate', right: OWNER, handler: GetBucketAccelerateConfiguration },
  PutBucketAccelerateConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutAccelerateConfiguration', sub: 'accelerate', right: OWNER },
  GetBucketRequestPayment: { target: 'bucket', method: 'GET', action: 's3:GetBucketRequestPayment', sub: 'requestPayment', right: OWNER, handler: GetBucketRequestPayment },
  PutBucketRequestPayment: { target: 'bucket', method: 'PUT', action: 's3:PutBucketRequestPayment', sub: 'requestPayment', right: OWNER },
  GetBucketAnalyticsConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetAnalyticsConfiguration', sub: 'analytics', right: OWNER },
  PutBucketAnalyticsConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutAnalyticsConfiguration', sub: 'analytics', right: OWNER },
  DeleteBucketAnalyticsConfiguration: { target: 'bucket', method: 'DELETE', action: 's3:PutAnalyticsConfiguration', sub: 'analytics', right: OWNER },
  GetBucketMetricsConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetMetricsConfiguration', sub: 'metrics', right: OWNER },
  PutBucketMetricsConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutMetricsConfiguration', sub: 'metrics', right: OWNER },
  DeleteBucketMetricsConfiguration: { target: 'bucket', method: 'DELETE', action: 's3:PutMetricsConfiguration', sub: 'metrics', right: OWNER },
  GetBucketInventoryConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetInventoryConfiguration', sub: 'inventory', right: OWNER },
  PutBucketInventoryConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutInventoryConfiguration', sub: 'inventory', right: OWNER },
  DeleteBucketInventoryConfiguration: { target: 'bucket', method: 'DELETE', action: 's3:PutInventoryConfiguration', sub: 'inventory', right: OWNER },
  GetBucketIntelligentTieringConfiguration: { target: 'bucket', method: 'GET', action: 's3:GetIntelligentTieringConfiguration', sub: 'intelligent-tiering', right: OWNER },
  PutBucketIntelligentTieringConfiguration: { target: 'bucket', method: 'PUT', action: 's3:PutIntelligentTieringConfiguration', sub: 'intelligent-tiering', right: OWNER },
  DeleteBucketIntelligentTieringConfiguration: { target: 'bucket', method: 'DELETE', action: 's3:PutIntelligentTieringConfiguration', sub: 'intelligent-tiering', right: OWNER },
  ListObjects: { target: 'bucket', method: 'GET', action: 's3:ListBucket', right: READ, grant: BUCKET_READ, handler: ListObjects },
  ListObjectsV2: { target: 'bucket', method: 'GET', action: 's3:ListBucket', when: { query: 'list-type', is: '2' }, right: READ, grant: BUCKET_READ, handler: ListObjectsV2 },
  CreateBucket: { target: 'bucket', method: 'PUT', action: 's3:CreateBucket', right: CREATE, handler: CreateBucket },
  HeadBucket: { target: 'bucket', method: 'HEAD', action: 's3:ListBucket', right: READ, grant: BUCKET_READ, handler: HeadBucket },
  DeleteBucket: { target: 'bucket', method: 'DELETE', action: 's3:DeleteBucket', right: OWNER, handler: DeleteBucket },
  PostObject: { target: 'bucket', method: 'POST', action: 's3:PutObject', right: WRITE, grant: BUCKET_WRITE, handler: PostObject, authorizedBy: 'handler' },

  UploadPart: { target: 'object', method: 'PUT', action: 's3:PutObject', sub: 'uploadId', right: WRITE, grant: BUCKET_WRITE, handler: UploadPart },
  UploadPartCopy: { target: 'object', method: 'PUT', action: 's3:PutObject', sub: 'uploadId', when: COPY_SOURCE, right: COPY, grant: BUCKET_WRITE, handler: UploadPartCopy },
  ListParts: { target: 'object', method: 'GET', action: 's3:ListMultipartUploadParts', sub: 'uploadId', right: READ, handler: ListParts },
  CompleteMultipartUpload: { target: 'object', method: 'POST', action: 's3:PutObject', sub: 'uploadId', right: WRITE, grant: BUCKET_WRITE, handler: CompleteMultipartUpload },
  AbortMultipartUpload: { target: 'object', method: 'DELETE', action: 's3:AbortMultipartUpload', sub: 'uploadId', right: WRITE, grant: BUCKET_WRITE, handler: AbortMultipartUpload },
  CreateMultipartUpload: { target: 'object', method: 'POST', action: 's3:PutObject', sub: 'uploads', right: WRITE, grant: BUCKET_WRITE, handler: CreateMultipartUpload },
  GetObjectTagging: { target: 'object', method: 'GET', action: 's3:GetObjectTagging', sub: 'tagging', right: READ, handler: GetObjectTagging },
  PutObjectTagging: { target: 'object', method: 'PUT', action: 's3:PutObjectTagging', sub: 'tagging', right: WRITE, handler: PutObjectTagging },
  DeleteObjectTagging: { target: 'object', method: 'DELETE', action: 's3:DeleteObjectTagging', sub: 'tagging', right: WRITE, handler: DeleteObjectTagging },
  GetObjectAcl: { target: 'object', method: 'GET', action: 's3:GetObjectAcl', sub: 'acl', right: READ, grant: { on: 'object', permission: 'READ_ACP' }, handler: GetObjectAcl },
  PutObjectAcl: { target: 'object', method: 'PUT', action: 's3:PutObjectAcl', sub: 'acl', right: WRITE, grant: { on: 'object', permission: 'WRITE_ACP' }, handler: PutObjectAcl },
  GetObjectRetention: { target: 'object', method: 'GET', action: 's3:GetObjectRetention', sub: 'retention', right: READ, handler: GetObjectRetention },
  PutObjectRetention: { target: 'object', method: 'PUT', action: 's3:PutObjectRetention', sub: 'retention', right: WRITE, handler: PutObjectRetention },
  GetObjectLegalHold: { target: 'object', method: 'GET', action: 's3:GetObjectLegalHold', sub: 'legal-hold', right: READ, handler: GetObjectLegalHold },
  PutObjectLegalHold: { target: 'object', method: 'PUT', action: 's3:PutObjectLegalHold', sub: 'legal-hold', right: WRITE, handler: PutObjectLegalHold },
  GetObjectAttributes: { target: 'object', method: 'GET', action: 's3:GetObjectAttributes', sub: 'attributes', right: READ, handler: GetObjectAttributes },
  RestoreObject: { target: 'object', method: 'POST', action: 's3:RestoreObject', sub: 'restore', right: WRITE, handler: RestoreObject },
  SelectObjectContent: { target: 'object', method: 'POST', action: 's3:GetObject', sub: 'select', right: OWNER },
  GetObjectTorrent: { target: 'object', method: 'GET', action: 's3:GetObjectTorrent', sub: 'torrent', right: OWNER },
  GetObject: { target: 'object', method: 'GET', action: 's3:GetObject', right: READ, grant: OBJECT_READ, handler: GetObject },
  HeadObject: { target: 'object', method: 'HEAD', action: 's3:GetObject', right: READ, grant: OBJECT_READ, handler: HeadObject },
  PutObject: { target: 'object', method: 'PUT', action: 's3:PutObject', right: WRITE, grant: BUCKET_WRITE, handler: PutObject },
  CopyObject: { target: 'object', method: 'PUT', action: 's3:PutObject', when: COPY_SOURCE, right: COPY, grant: BUCKET_WRITE, handler: CopyObject },
  DeleteObject: { target: 'object', method: 'DELETE', action: 's3:DeleteObject', right: WRITE, grant: BUCKET_WRITE, handler: DeleteObject },
} as const satisfies Readonly<Record<string, Operation>>;

/** The name of an S3 operation this server recognises. */
export type OperationName = keyof typeof OPERATIONS;

/** What a name missing from the table gets (possible only by a cast): no handler, and the owner's right, failing closed. */
const UNLISTED: Operation = { target: 'bucket', method: 'GET', action: 's3:*', right: OWNER };

/** The row of operation `name`. */
export function operationRow(name: OperationName): Operation {
  return Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : UNLISTED;
}
