/**
 * Bucket policies are not supported, and that is what these answers say truthfully: no bucket ever has a policy
 * (GetBucketPolicy is NoSuchBucketPolicy, as S3 answers for a bucket without one; s3cmd info, for one, reads it),
 * deleting none succeeds, and setting one is 501 NotImplemented rather than a policy silently ignored.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Handler } from '../types.js';

export const GetBucketPolicy: Handler = async (req) => {
  await req.backend.headBucket({ bucket: req.bucket });
  throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: req.bucket });
};

export const DeleteBucketPolicy: Handler = async (req) => {
  await req.backend.headBucket({ bucket: req.bucket });
  return { status: 204 };
};
