/**
 * The XML body of a request that changes object lock (PutObjectLockConfiguration, PutObjectRetention,
 * PutObjectLegalHold): S3 requires it to come with a digest (Content-MD5, or an x-amz-checksum-* value sent or in a
 * trailer), and checks the digest against the bytes received before acting on them.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';
import { checksumOf } from '../../checksums/checksum.js';
import type { S3Request } from '../types.js';
import { contentMd5, requestedChecksum } from '../write/options.js';

/** S3's words for a lock request without a digest. */
export const LOCK_REQUEST_NEEDS_DIGEST = 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*';

/**
 * The body of `req` (at most `limit` bytes), once its declared digest holds: InvalidRequest without one (before
 * the body is read), BadDigest when it does not match (nothing is changed either way).
 */
export async function readDigestedBody(req: S3Request, limit: number): Promise<Buffer> {
  const md5 = contentMd5(req.headers);
  const checksum = requestedChecksum(req.headers, () => req.trailers());
  // An algorithm named without a value (x-amz-sdk-checksum-algorithm alone) declares nothing to check.
  if (md5 === undefined && checksum?.expected === undefined) throw new S3Error('InvalidRequest', LOCK_REQUEST_NEEDS_DIGEST);
  const body = await req.readBody(limit);
  if (md5 !== undefined && !createHash('md5').update(body).digest().equals(md5)) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const expected = checksum?.expected?.();
  if (checksum && expected !== undefined && checksumOf(checksum.algorithm, body).toString('base64') !== expected) {
    throw new S3Error('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
  }
  return body;
}
