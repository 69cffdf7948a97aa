/**
 * Bucket policies: PutBucketPolicy (checked by parsePolicy, refused with MalformedPolicy naming the problem,
 * and refused when public while the bucket's BlockPublicPolicy is set), GetBucketPolicy (the text as given),
 * DeleteBucketPolicy, GetBucketPolicyStatus (IsPublic). NoSuchBucketPolicy where the bucket has none.
 * Enforcement is authorization's (access/authorize-request.ts).
 */
import { S3Error, isS3Error } from '../../errors/s3-error.js';
import { MAX_POLICY_BYTES, parsePolicy } from '../policy/parse-policy.js';
import { isPublicPolicy } from '../policy/policy-status.js';
import type { Handler, S3Request } from '../types.js';

/** The stored policy text; NoSuchBucketPolicy when none. */
async function storedPolicy(req: S3Request): Promise<string> {
  const text = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'policy' });
  if (text === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: req.bucket });
  return text;
}

export const GetBucketPolicy: Handler = async (req) => {
  return { headers: { 'Content-Type': 'application/json' }, body: await storedPolicy(req) };
};

export const PutBucketPolicy: Handler = async (req) => {
  let body: Buffer;
  try {
    // Read a little past the limit, so that parsePolicy names the size as the problem.
    body = await req.readBody(MAX_POLICY_BYTES + 1);
  } catch (e) {
    if (isS3Error(e) && e.code === 'MalformedXML') throw new S3Error('MalformedPolicy', `Policy exceeds the maximum allowed document size of ${MAX_POLICY_BYTES} bytes`);
    throw e;
  }
  const text = body.toString('utf8');
  const doc = parsePolicy(text, { bucket: req.bucket });
  if (isPublicPolicy(doc)) {
    const block = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'publicAccessBlock' });
    if (block?.blockPublicPolicy) throw new S3Error('AccessDenied', 'Access Denied: the bucket\'s public access block (BlockPublicPolicy) refuses a public policy.');
  }
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'policy', value: text });
  return { status: 204 };
};

export const DeleteBucketPolicy: Handler = async (req) => {
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'policy', value: undefined });
  return { status: 204 };
};

export const GetBucketPolicyStatus: Handler = async (req) => {
  const doc = parsePolicy(await storedPolicy(req), { bucket: req.bucket });
  return { xml: { root: 'PolicyStatus', body: { IsPublic: isPublicPolicy(doc) } } };
};
