/**
 * x-amz-bypass-governance-retention: whether a request may, and asks to, shorten or remove GOVERNANCE retention
 * or delete a version under it (S3's s3:BypassGovernanceRetention). The bucket's owner and an administrator may;
 * any other signed-in user may when the bucket policy allows them that action. An explicit Deny in the policy
 * refuses everybody, the owner and administrators included. COMPLIANCE is bypassed by nobody.
 */
import { bucketGuardsOf } from '../access/bucket-guards.js';
import { ownerOf } from '../owner.js';
import { s3Arn, statementApplies, type PolicyRequest } from '../policy/evaluate-policy.js';
import type { PolicyDocument, Statement } from '../policy/policy-document.js';
import { requestConditions } from '../policy/request-conditions.js';
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
  const guards = await bucketGuardsOf(req.backend, req.bucket);
  // A stored policy that no longer parses could hold a Deny: nobody bypasses.
  if (guards.policyError !== undefined) return false;
  const policy = guards.policy?.doc;
  const asking: PolicyRequest = {
    action: BYPASS_ACTION, resource: s3Arn(req.bucket, key),
    principal: { user: p.user, canonicalId: ownerOf(p.user).ID },
    conditions: requestConditions({ principal: { user: p.user, canonicalId: ownerOf(p.user).ID } }),
  };
  if (policy && denies(policy, asking)) return false;
  if (p.admin) return true;
  const { owner } = await req.backend.headBucket({ bucket: req.bucket });
  if (owner !== undefined && owner === p.user) return true;
  return policy !== undefined && allows(policy, asking);
}

// An explicit Deny binds the owner and administrators too. Its conditions are not evaluated here (the request's
// full condition context is the authorizer's): a conditional Deny counts as a Deny, failing closed.
function denies(doc: PolicyDocument, asking: PolicyRequest): boolean {
  return doc.statements.some((s) => s.effect === 'Deny' && statementApplies({ ...s, conditions: [] }, asking, doc));
}

// An Allow counts only when its conditions are all on keys known here (who asks, and when), and hold: a condition
// on anything else (a source address, TLS, a header) cannot be judged here, and must not grant by being ignored.
function allows(doc: PolicyDocument, asking: PolicyRequest): boolean {
  const judged = (s: Statement) => s.conditions.every((c) => asking.conditions.has(c.key.toLowerCase()));
  return doc.statements.some((s) => s.effect === 'Allow' && judged(s) && statementApplies(s, asking, doc));
}
