/**
 * A bucket's bucket policy and public access block, as authorization reads them on every request. The policy
 * is stored as the JSON text PutBucketPolicy checked; parsing it again per request would be waste, so parsed
 * documents are kept by text (a changed policy is a new text, so nothing goes stale).
 */
import type { Backend, PublicAccessBlock } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import { parsePolicy } from '../policy/parse-policy.js';
import type { PolicyDocument } from '../policy/policy-document.js';

/** What guards a bucket besides rights and ACLs. */
export interface BucketGuards {
  policy?: { doc: PolicyDocument; text: string };
  /** A stored policy that no longer parses (bucket.json edited by hand): requests are refused with this error. */
  policyError?: unknown;
  publicAccessBlock?: PublicAccessBlock;
}

const PARSED_LIMIT = 256;
const parsed = new Map<string, PolicyDocument>();

/** The parsed form of a stored policy (for `bucket`, whose name its resources were checked against). */
function parsedPolicy(text: string, bucket: string): PolicyDocument {
  const cacheKey = `${bucket}\n${text}`;
  let doc = parsed.get(cacheKey);
  if (!doc) {
    doc = parsePolicy(text, { bucket });
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(cacheKey, doc);
  }
  return doc;
}

/**
 * The bucket's guards. A bucket that does not exist (or cannot be read) has none: the operation itself then
 * answers NoSuchBucket, or authorization refuses as it would without a policy.
 */
export async function bucketGuardsOf(backend: Backend, bucket: string): Promise<BucketGuards> {
  let config;
  try {
    config = await backend.getBucketConfigs({ bucket });
  } catch (e) {
    // No such bucket: the operation answers it. Settings that cannot be read refuse, as a broken policy does.
    if (e instanceof S3Error && e.code === 'NoSuchBucket') return {};
    return { policyError: e };
  }
  const { policy: text, publicAccessBlock } = config;
  if (text === undefined) return { publicAccessBlock };
  try {
    return { policy: { doc: parsedPolicy(text, bucket), text }, publicAccessBlock };
  } catch (e) {
    return { policyError: e, publicAccessBlock };
  }
}
