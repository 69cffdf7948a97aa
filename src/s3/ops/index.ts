/** The handler of each operation, by S3 operation name. A name missing here answers 501 NotImplemented. */
import type { Handler } from '../types.js';
import { CreateBucket, DeleteBucket, GetBucketLocation, HeadBucket, ListBuckets } from './buckets.js';
import { CopyObject } from './copy.js';
import { DeleteObjects } from './delete-objects.js';
import { ListObjects, ListObjectsV2 } from './listing.js';
import { DeleteObject, GetObject, HeadObject, PutObject } from './objects.js';
import { GetBucketVersioning, ListObjectVersions } from './versioning.js';

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
};
