/** The handler of each operation, by S3 operation name. A name missing here answers 501 NotImplemented. */
import type { Handler } from '../types.js';
import { CreateBucket, DeleteBucket, GetBucketLocation, HeadBucket, ListBuckets } from './buckets.js';
import { CopyObject } from './copy.js';
import { DeleteObjects } from './delete-objects.js';
import { ListObjects, ListObjectsV2 } from './listing.js';
import { DeleteObject, GetObject, HeadObject, PutObject } from './objects.js';
import { GetBucketVersioning, ListObjectVersions } from './versioning.js';
import { AbortMultipartUpload } from './abort-multipart-upload.js';
import { CompleteMultipartUpload } from './complete-multipart-upload.js';
import { CreateMultipartUpload } from './create-multipart-upload.js';
import { ListMultipartUploads } from './list-multipart-uploads.js';
import { ListParts } from './list-parts.js';
import { GetObjectAttributes } from './object-attributes.js';
import { UploadPartCopy } from './upload-part-copy.js';
import { UploadPart } from './upload-part.js';
import { GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl } from './acl.js';
import { DeleteBucketPolicy, GetBucketPolicy } from './bucket-policy.js';
import { DeleteBucketTagging, GetBucketTagging, PutBucketTagging } from './bucket-tagging.js';
import { DeleteBucketCors, GetBucketCors, PutBucketCors } from './cors.js';
import { DeleteBucketOwnershipControls, GetBucketOwnershipControls, PutBucketOwnershipControls } from './ownership-controls.js';
import { DeleteObjectTagging, GetObjectTagging, PutObjectTagging } from './tagging.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  ListBuckets,
  CreateBucket,
  HeadBucket,
  DeleteBucket,
  GetBucketLocation,
  GetBucketVersioning,
  ListObjectVersions,
  ListObjects,
  ListObjectsV2,
  PutObject,
  GetObject,
  HeadObject,
  DeleteObject,
  DeleteObjects,
  CopyObject,
  CreateMultipartUpload,
  UploadPart,
  UploadPartCopy,
  CompleteMultipartUpload,
  AbortMultipartUpload,
  ListParts,
  ListMultipartUploads,
  GetObjectAttributes,
  GetObjectTagging,
  PutObjectTagging,
  DeleteObjectTagging,
  GetBucketTagging,
  GetBucketPolicy,
  DeleteBucketPolicy,
  PutBucketTagging,
  DeleteBucketTagging,
  GetObjectAcl,
  PutObjectAcl,
  GetBucketAcl,
  PutBucketAcl,
  GetBucketOwnershipControls,
  PutBucketOwnershipControls,
  DeleteBucketOwnershipControls,
  GetBucketCors,
  PutBucketCors,
  DeleteBucketCors,
};
