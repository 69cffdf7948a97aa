/**
 * Authorization of an S3 request: one decision, decideAccess, over what each source of permission says — the
 * bucket policy (with the bucket's public access block), the user's bucket rights, and ACL grants. An explicit
 * Deny in the policy refuses, even the bucket owner (except that the owner and administrators may always read,
 * replace or delete the policy, as S3 lets the bucket's account do); otherwise rights, a grant or a policy Allow
 * suffices. A copy is decided twice: writing the target and reading the source (s3:GetObject). The file-system
 * check for the principal's identity follows in the back end, whatever this allows.
 */
import { S3Error, isS3Error } from '../../errors/s3-error.js';
import type { HeaderBag } from '../../http/headers.js';
import type { Backend } from '../../storage/backend.js';
import { aclAllows } from '../acl/authorize.js';
import { operationRow, type GrantNeed, type OperationName } from '../operations.js';
import { ownerOf } from '../owner.js';
import { decideAccess, evaluatePolicy, s3Arn, type PolicyDecision } from '../policy/evaluate-policy.js';
import { isPublicPolicy } from '../policy/policy-status.js';
import { requestConditions, type RequestFacts } from '../policy/request-conditions.js';
import { authorize } from '../rights/authorize.js';
import type { Principal } from '../types.js';
import { bucketGuardsOf, type BucketGuards } from './bucket-guards.js';

/** What authorization needs of a request. */
export interface ToAuthorizeRequest {
  operation: OperationName;
  /** '' for service operations (ListBuckets). */
  bucket: string;
  key?: string;
  principal: Principal;
  backend: Backend;
  headers: HeaderBag;
  /**
   * The request's condition facts (request-facts.ts), without the principal: a function, called only when a bucket
   * policy is evaluated, since most buckets have none and gathering them costs every request an object of ~20 keys.
   */
  facts: () => RequestFacts;
  /** The parsed x-amz-copy-source of a copy (undefined when absent or malformed: the handler refuses those). */
  copySource?: { bucket: string; key: string };
}

/** The operations the bucket's owner may run whatever the policy says: otherwise a policy could lock them out for good. */
const POLICY_MANAGEMENT: ReadonlySet<OperationName> = new Set(['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']);

const OBJECT_READ: GrantNeed = { on: 'object', permission: 'READ' };

/** One thing to decide: an action on a bucket (or an object in it), with what rights and grants may allow it. */
interface Part {
  bucket: string;
  key?: string;
  action: string;
  /** Whether the user's bucket rights allow it, and if not the refusal to answer with. */
  rights: () => Promise<S3Error | undefined>;
  grant?: GrantNeed;
  /** The keys are decided one by one later: a policy here only lets the request on to those checks. */
  keysLater?: boolean;
}

/** Whether the principal owns the bucket or administers the server. */
async function isBucketOwner(req: ToAuthorizeRequest, bucket: string): Promise<boolean> {
  if (req.principal.anonymous) return false;
  if (req.principal.admin) return true;
  const owner = await req.backend.headBucket({ bucket }).then((i) => i.owner, () => undefined);
  return owner === req.principal.user;
}

/** The bucket policy's decision for one part, with the public access block's RestrictPublicBuckets applied. */
async function policyDecision(req: ToAuthorizeRequest, part: Part, guards: BucketGuards, manage: boolean): Promise<PolicyDecision> {
  if (guards.policyError !== undefined) {
    if (manage) return 'NotApplicable';
    throw guards.policyError;
  }
  if (!guards.policy) return 'NotApplicable';
  const p = req.principal;
  const facts: RequestFacts = { ...req.facts(), principal: p.anonymous ? undefined : { user: p.user, canonicalId: ownerOf(p.user).ID } };
  if (part.key !== undefined && /existingobjecttag/i.test(guards.policy.text)) {
    // Only policies that test the object's current tags cost a read of them.
    const tags = await req.backend.headObject({ bucket: part.bucket, key: part.key }).then((i) => i.tags ?? [], () => []);
    facts.s3 = { ...facts.s3, ...Object.fromEntries(tags.map((t) => [`s3:ExistingObjectTag/${t.key}`, t.value])) };
  }
  let decision = evaluatePolicy(guards.policy.doc, {
    action: part.action,
    resource: s3Arn(part.bucket, part.key),
    principal: facts.principal,
    conditions: requestConditions(facts),
  });
  // RestrictPublicBuckets: a public policy allows nothing to anybody outside the bucket owner's account (here: anonymous requests).
  if (decision === 'Allow' && p.anonymous && guards.publicAccessBlock?.restrictPublicBuckets && isPublicPolicy(guards.policy.doc)) decision = 'NotApplicable';
  if (decision === 'Deny' && manage && (await isBucketOwner(req, part.bucket))) decision = 'NotApplicable';
  return decision;
}

/** Throws unless decideAccess allows the part. */
async function decidePart(req: ToAuthorizeRequest, part: Part, manage: boolean): Promise<void> {
  const guards = await bucketGuardsOf(req.backend, part.bucket);
  const policy = part.keysLater ? (guards.policy ? 'Allow' : 'NotApplicable') : await policyDecision(req, part, guards, manage);
  if (policy === 'Deny') throw new S3Error('AccessDenied', `Access Denied: ${part.action} on ${s3Arn(part.bucket, part.key)} is explicitly denied by the bucket policy.`);
  const refusal = await part.rights();
  const rights = refusal === undefined;
  // Grants are read only when nothing else allows the request.
  const acl = !rights && policy !== 'Allow' && part.grant !== undefined
    && (await aclAllows({ backend: req.backend, principal: req.principal, bucket: part.bucket, key: part.key }, part.grant));
  if (!decideAccess({ policy, rights, acl })) throw refusal!;
}

/** The user's rights as a refusal (undefined: allowed). Anonymous requests have none. */
async function rightsRefusal(check: () => Promise<void>, p: Principal): Promise<S3Error | undefined> {
  if (p.anonymous) {
    return new S3Error('AccessDenied', 'Access Denied: anonymous requests are allowed only where an ACL grant to everyone or the bucket policy allows them.');
  }
  try {
    await check();
    return undefined;
  } catch (e) {
    if (isS3Error(e) && e.code === 'AccessDenied') return e;
    throw e;
  }
}

/** Throws AccessDenied (or the bucket's own error) unless the request may run. */
export async function authorizeRequest(req: ToAuthorizeRequest): Promise<void> {
  const p = req.principal;
  if (req.bucket === '') {
    // ListBuckets: no bucket, so no policy or ACL: the user's own rights decide.
    const refusal = await rightsRefusal(() => authorize(req), p);
    if (refusal) throw refusal;
    return;
  }
  const row = operationRow(req.operation);
  await decidePart(req, {
    bucket: req.bucket,
    // A POST Object names its key in the form: the object it writes is the resource.
    key: row.target === 'object' || row.authorizedBy === 'handler' ? req.key : undefined,
    action: row.action,
    rights: () => rightsRefusal(() => authorize({ ...req, copySourceBucket: undefined }), p),
    grant: row.grant,
    keysLater: row.keysInBody,
  }, POLICY_MANAGEMENT.has(req.operation));
  const source = req.copySource;
  if (row.right.copySource && source) {
    await decidePart(req, {
      bucket: source.bucket,
      key: source.key,
      action: 's3:GetObject',
      rights: () => rightsRefusal(() => authorize({ ...req, operation: 'GetObject', bucket: source.bucket, copySourceBucket: undefined }), p),
      grant: OBJECT_READ,
    }, false);
  }
}
