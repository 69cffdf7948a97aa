/**
 * x-amz-expected-bucket-owner (and x-amz-source-expected-bucket-owner for a copy's source): a client names the
 * account it believes owns the bucket, and S3 refuses with 403 AccessDenied when another account does. The
 * account id here is the owner's canonical id, as GetBucketAcl's Owner ID shows it.
 */
import { ADMIN_USER } from '../../accounts/user-directory.js';
import { S3Error } from '../../errors/s3-error.js';
import { headerOf, type HeaderBag } from '../../http/headers.js';
import type { Backend } from '../../storage/backend.js';
import { ownerOf } from '../owner.js';

/** What the check needs of a request. */
export interface ExpectedOwnerRequest {
  backend: Backend;
  headers: HeaderBag;
  /** '' for service operations, which have no bucket to own. */
  bucket: string;
  /** The copy source's bucket, when the request copies. */
  copySourceBucket?: string;
}

/** Throws AccessDenied when the bucket (or copy source bucket) belongs to another account than the one the request expects. */
export async function checkExpectedOwner(req: ExpectedOwnerRequest): Promise<void> {
  const expected = headerOf(req.headers, 'x-amz-expected-bucket-owner');
  if (expected !== undefined && req.bucket !== '') await refuseOtherOwner(req.backend, req.bucket, expected);
  const source = headerOf(req.headers, 'x-amz-source-expected-bucket-owner');
  if (source !== undefined && req.copySourceBucket !== undefined) await refuseOtherOwner(req.backend, req.copySourceBucket, source);
}

async function refuseOtherOwner(backend: Backend, bucket: string, expected: string): Promise<void> {
  // A missing bucket is the operation's own NoSuchBucket, not an ownership question.
  const info = await backend.headBucket({ bucket }).catch((e: unknown) => {
    if (e instanceof S3Error && e.code === 'NoSuchBucket') return undefined;
    throw e;
  });
  if (!info) return;
  // Buckets not created through S3 (made on disk, mapped) belong to the administrator, as their ACL shows.
  if (ownerOf(info.owner ?? ADMIN_USER).ID !== expected.trim()) {
    throw new S3Error('AccessDenied', `Access Denied: bucket '${bucket}' is not owned by the expected account.`);
  }
}
