/**
 * The S3-rights check of a request: the user's access to the bucket (none, read-only, read-write), bucket
 * ownership for bucket administration, the right to create buckets. The file-system check comes after, in the
 * storage back end, for the principal's identity: both must allow a request.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Principal } from '../types.js';
import type { Backend } from '../../storage/backend.js';
import { operationRow, type OperationName } from '../operations.js';

/** What authorization needs of a request. */
export interface ToAuthorize {
  operation: OperationName;
  bucket: string;
  principal: Principal;
  backend: Backend;
  /** The bucket of x-amz-copy-source, for copies. */
  copySourceBucket?: string;
}

/** Throws AccessDenied, naming the S3 rights as the refusing check, unless the principal may run the operation. */
export async function authorize(req: ToAuthorize): Promise<void> {
  const { principal: p } = req;
  const right = operationRow(req.operation).right;
  switch (right.bucket) {
    case 'any':
      break;
    case 'create':
      if (!p.canCreateBuckets) throw denied(`user '${p.user}' may not create buckets`);
      break;
    case 'owner':
      if (!p.admin) {
        const owner = (await req.backend.headBucket({ bucket: req.bucket })).owner;
        if (owner !== p.user) throw denied(`only the owner of bucket '${req.bucket}' or an administrator may run ${req.operation}`);
      }
      break;
    case 'read':
    case 'write':
      need(p, req.bucket, right.bucket);
      break;
  }
  if (right.copySource && req.copySourceBucket !== undefined) need(p, req.copySourceBucket, right.copySource);
}

function need(p: Principal, bucket: string, right: 'read' | 'write'): void {
  const access = p.access(bucket);
  if (access === 'read-write' || (access === 'read-only' && right === 'read')) return;
  throw denied(access === 'none'
    ? `user '${p.user}' has no access to bucket '${bucket}'`
    : `user '${p.user}' has read-only access to bucket '${bucket}'`);
}

function denied(why: string): S3Error {
  return new S3Error('AccessDenied', `Access Denied by S3 rights: ${why}.`);
}
