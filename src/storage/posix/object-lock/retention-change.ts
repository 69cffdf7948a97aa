/**
 * How a version's retention may change (PutObjectRetention), as S3 rules: extending is always allowed; in
 * GOVERNANCE mode, shortening, removing or changing to a weaker lock only with x-amz-bypass-governance-retention
 * from a user allowed to bypass; in COMPLIANCE mode, never, by anyone, the administrator included.
 */
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectLock, Retention } from '../../object-lock.js';

/** The lock after setting `next` as the retention (undefined: remove it), or AccessDenied naming the rule. */
export function changedRetention(old: ObjectLock, next: Retention | undefined, bypassGovernance: boolean, now = Date.now()): ObjectLock {
  const r = old.retention;
  const inForce = r !== undefined && Date.parse(r.retainUntil) > now;
  if (inForce && !allowedWithout(r, next)) {
    if (r.mode === 'COMPLIANCE') {
      throw new S3Error('AccessDenied', `Access Denied because object protected by object lock: COMPLIANCE retention until ${r.retainUntil} can only be extended, by nobody shortened or removed.`);
    }
    if (!bypassGovernance) {
      throw new S3Error('AccessDenied', `Access Denied because object protected by object lock: GOVERNANCE retention until ${r.retainUntil} can be shortened or removed only with x-amz-bypass-governance-retention: true, by a user allowed to bypass it (the bucket owner, an administrator, or a user the bucket policy allows s3:BypassGovernanceRetention).`);
    }
  }
  return { ...(next ? { retention: next } : {}), ...(old.legalHold !== undefined ? { legalHold: old.legalHold } : {}) };
}

// No weaker: the same or a later date, in the same mode or the stricter COMPLIANCE.
function allowedWithout(r: Retention, next: Retention | undefined): boolean {
  if (!next || Date.parse(next.retainUntil) < Date.parse(r.retainUntil)) return false;
  return next.mode === r.mode || next.mode === 'COMPLIANCE';
}
