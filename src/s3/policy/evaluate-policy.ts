/**
 * Evaluating a bucket policy for one request: each statement applies when its principal, action,
 * resource and conditions all match; an applying Deny wins over any Allow, and a policy with no applying
 * statement has nothing to say (NotApplicable), leaving the decision to bucket rights and ACLs.
 */
import { conditionsHold } from './condition-block.js';
import type { PolicyDocument, Statement } from './policy-document.js';
import { expandVariables, markWildcards } from './policy-variables.js';
import { principalMatches } from './principal-match.js';
import type { ConditionValues, PolicyPrincipal } from './request-conditions.js';
import { actionMatches } from './s3-actions.js';
import { wildcardMatch } from './wildcard.js';

/** One request as a policy sees it. */
export interface PolicyRequest {
  /** The IAM action, e.g. `s3:GetObject` (ListObjectsV2 is `s3:ListBucket`). */
  action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Undefined: an anonymous request. */
  principal?: PolicyPrincipal;
  /** The request's condition keys (requestConditions()). */
  conditions: ConditionValues;
}

export type PolicyDecision = 'Allow' | 'Deny' | 'NotApplicable';

/** The ARN of a bucket, or of an object in it. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** Whether a Resource pattern names the request's resource (case-sensitive, variables expanded in 2012-10-17). */
function resourceMatches(pattern: string, req: PolicyRequest, doc: PolicyDocument): boolean {
  const expanded = doc.version === '2012-10-17' ? expandVariables(pattern, req.conditions, { escapeWildcards: true }) : pattern;
  return expanded !== undefined && wildcardMatch(expanded, markWildcards(req.resource));
}

/** Whether a statement applies to the request. */
export function statementApplies(s: Statement, req: PolicyRequest, doc: PolicyDocument): boolean {
  if (s.principal && !principalMatches(s.principal, req.principal)) return false;
  if (s.notPrincipal && principalMatches(s.notPrincipal, req.principal)) return false;
  if (s.action && !s.action.some((a) => actionMatches(a, req.action))) return false;
  if (s.notAction && s.notAction.some((a) => actionMatches(a, req.action))) return false;
  if (s.resource && !s.resource.some((r) => resourceMatches(r, req, doc))) return false;
  if (s.notResource && s.notResource.some((r) => resourceMatches(r, req, doc))) return false;
  return conditionsHold(s.conditions, req.conditions, doc.version);
}

/** The policy's decision for a request: Deny if any applying statement denies, else Allow if one allows. */
export function evaluatePolicy(doc: PolicyDocument, req: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const s of doc.statements) {
    if (!statementApplies(s, req, doc)) continue;
    if (s.effect === 'Deny') return 'Deny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'NotApplicable';
}

/** What each source of permission says about a request, for decideAccess. */
export interface AccessVerdicts {
  /** The bucket policy's decision (NotApplicable when the bucket has none). */
  policy: PolicyDecision;
  /** Whether the user's own bucket rights allow the operation. */
  rights: boolean;
  /** Whether an ACL grant allows it. */
  acl: boolean;
}

/**
 * S3's rule: an explicit Deny in the policy refuses; otherwise bucket rights, an ACL grant or a policy
 * Allow suffices. (The file system's own check for the identity still follows, whatever this says.)
 */
export function decideAccess(v: AccessVerdicts): boolean {
  if (v.policy === 'Deny') return false;
  return v.rights || v.acl || v.policy === 'Allow';
}
