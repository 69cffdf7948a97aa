/**
 * x-amz-bypass-governance-retention: whether a request may, and asks to, shorten or remove GOVERNANCE retention
 * or delete a version under it. Here the bucket's owner and an administrator may (S3's
 * s3:BypassGovernanceRetention), unless the bucket policy denies them that action; a policy Allow does not give
 * it to anybody else yet. COMPLIANCE is bypassed by nobody.
 */
import { bucketGuardsOf } from '../access/bucket-guards.js';
import { ownerOf } from '../owner.js';
import { s3Arn, statementApplies } from '../policy/evaluate-policy.js';
import type { S3Request } from '../types.js';

const BYPASS_ACTION = 's3:BypassGovernanceRetention';

/**
 * True when the header asks to bypass and the requester may, for `key`. Asking without the right bypasses
 * nothing: a version under GOVERNANCE retention is then refused by the lock check (AccessDenied naming the
 * lock), and anything unlocked goes ahead, as S3 does.
 */
export async function bypassGovernance(req: S3Request, key = req.key): Promise<boolean> {
  const asked = req.header('x-amz-bypass-governance-retention');
  if (asked === undefined || asked.trim().toLowerCase() !== 'true') return false;
  const p = req.principal;
  if (p.anonymous) return false;
  if (!p.admin) {
    const { owner } = await req.backend.headBucket({ bucket: req.bucket });
    if (owner === undefined || owner !== p.user) return false;
  }
  return !(await policyDenies(req, key));
}

// An explicit Deny of s3:BypassGovernanceRetention binds the owner and administrators too. Its conditions are
// not evaluated here: a conditional Deny counts as a Deny (failing closed), never as nothing.
async function policyDenies(req: S3Request, key: string): Promise<boolean> {
  const guards = await bucketGuardsOf(req.backend, req.bucket);
  if (guards.policyError !== undefined) return true;
  const policy = guards.policy;
  if (!policy) return false;
  const asked = { action: BYPASS_ACTION, resource: s3Arn(req.bucket, key), principal: { user: req.principal.user, canonicalId: ownerOf(req.principal.user).ID },
    conditions: new Map<string, readonly string[]>() };
  return policy.doc.statements.some((s) => s.effect === 'Deny' && statementApplies({ ...s, conditions: [] }, asked, policy.doc));
}
