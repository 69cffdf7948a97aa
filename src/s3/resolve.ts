/**
 * Request → operation: the S3 operation name follows from the method, whether a bucket and key are addressed,
 * and the subresource in the query — as in the S3 API reference, so the name also says which handler runs.
 */
import { S3Error } from '../errors/s3-error.js';

export interface ResolvedRequest {
  operation: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  /** the path as sent, still encoded (for SigV4) */
  rawPath: string;
}

type MethodTable = Partial<Record<string, string>>;

const SERVICE: Record<string, MethodTable> = {
  '': { GET: 'ListBuckets' },
};

/** Bucket subresources, in the order they are recognised; '' is the bucket itself. */
const BUCKET: Record<string, MethodTable> = {
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  versions: { GET: 'ListObjectVersions' },
  location: { GET: 'GetBucketLocation' },
  uploads: { GET: 'ListMultipartUploads' },
  delete: { POST: 'DeleteObjects' },
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  cors: { GET: 'GetBucketCors', PUT: 'PutBucketCors', DELETE: 'DeleteBucketCors' },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  policyStatus: { GET: 'GetBucketPolicyStatus' },
  lifecycle: { GET: 'GetBucketLifecycleConfiguration', PUT: 'PutBucketLifecycleConfiguration', DELETE: 'DeleteBucketLifecycle' },
  encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' },
  'object-lock': { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' },
  ownershipControls: { GET: 'GetBucketOwnershipControls', PUT: 'PutBucketOwnershipControls', DELETE: 'DeleteBucketOwnershipControls' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
  website: { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' },
  logging: { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' },
  notification: { GET: 'GetBucketNotificationConfiguration', PUT: 'PutBucketNotificationConfiguration' },
  replication: { GET: 'GetBucketReplication', PUT: 'PutBucketReplication', DELETE: 'DeleteBucketReplication' },
  accelerate: { GET: 'GetBucketAccelerateConfiguration', PUT: 'PutBucketAccelerateConfiguration' },
  requestPayment: { GET: 'GetBucketRequestPayment', PUT: 'PutBucketRequestPayment' },
  analytics: { GET: 'GetBucketAnalyticsConfiguration', PUT: 'PutBucketAnalyticsConfiguration', DELETE: 'DeleteBucketAnalyticsConfiguration' },
  metrics: { GET: 'GetBucketMetricsConfiguration', PUT: 'PutBucketMetricsConfiguration', DELETE: 'DeleteBucketMetricsConfiguration' },
  inventory: { GET: 'GetBucketInventoryConfiguration', PUT: 'PutBucketInventoryConfiguration', DELETE: 'DeleteBucketInventoryConfiguration' },
  'intelligent-tiering': { GET: 'GetBucketIntelligentTieringConfiguration', PUT: 'PutBucketIntelligentTieringConfiguration', DELETE: 'DeleteBucketIntelligentTieringConfiguration' },
  '': { GET: 'ListObjects', PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket', POST: 'PostObject' },
};

const OBJECT: Record<string, MethodTable> = {
  uploadId: { PUT: 'UploadPart', GET: 'ListParts', POST: 'CompleteMultipartUpload', DELETE: 'AbortMultipartUpload' },
  uploads: { POST: 'CreateMultipartUpload' },
  tagging: { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' },
  acl: { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' },
  retention: { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' },
  'legal-hold': { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' },
  attributes: { GET: 'GetObjectAttributes' },
  restore: { POST: 'RestoreObject' },
  select: { POST: 'SelectObjectContent' },
  torrent: { GET: 'GetObjectTorrent' },
  '': { GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' },
};

function pick(table: Record<string, MethodTable>, method: string, query: URLSearchParams): string {
  for (const [sub, methods] of Object.entries(table)) {
    if (sub !== '' && !query.has(sub)) continue;
    const op = methods[method];
    if (op) return op;
    throw new S3Error('MethodNotAllowed', `The specified method is not allowed against this resource.`, {
      Method: method,
      ResourceType: sub === '' ? 'BUCKET' : sub.toUpperCase(),
    });
  }
  throw new S3Error('MethodNotAllowed');
}

/** Decodes a percent-encoded path; a malformed escape is InvalidURI. */
export function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidURI');
  }
}

/**
 * Names the operation of a request. `domain` enables virtual-hosted-style addressing: a Host of
 * `bucket.domain` addresses that bucket, and the whole path is the key.
 */
export function resolveRequest(method: string, url: string, host: string | undefined, domain?: string): ResolvedRequest {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI');

  let bucket: string | undefined;
  let keyPart: string;
  const hostname = host?.replace(/:\d+$/, '').toLowerCase();
  if (domain && hostname && hostname !== domain && hostname.endsWith('.' + domain)) {
    bucket = hostname.slice(0, -(domain.length + 1));
    keyPart = rawPath.slice(1);
  } else {
    const slash = rawPath.indexOf('/', 1);
    const first = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
    // `//x`: an empty bucket name followed by more path is no request S3 can route.
    if (first === '' && rawPath.length > 1) throw new S3Error('InvalidURI', `Couldn't parse the specified URI: ${rawPath}`);
    bucket = first === '' ? undefined : decodePath(first);
    keyPart = slash < 0 ? '' : rawPath.slice(slash + 1);
  }
  const key = keyPart === '' ? undefined : decodePath(keyPart);

  let operation: string;
  if (!bucket) operation = pick(SERVICE, method, query);
  else if (key === undefined) {
    operation = pick(BUCKET, method, query);
    if (operation === 'ListObjects' && query.get('list-type') === '2') operation = 'ListObjectsV2';
  } else operation = pick(OBJECT, method, query);
  return { operation, bucket, key, query, rawPath };
}

/** Refinements that depend on headers: copies are PUTs with x-amz-copy-source. */
export function refineOperation(operation: string, headers: Record<string, string | string[] | undefined>): string {
  if (headers['x-amz-copy-source'] !== undefined) {
    if (operation === 'PutObject') return 'CopyObject';
    if (operation === 'UploadPart') return 'UploadPartCopy';
  }
  return operation;
}
