/**
 * THE check: whether a version's lock lets it be deleted (or overwritten in place) now. Every path that removes a
 * version's bytes goes through assertDeletable: DeleteObject with a version id and DeleteObjects (both through
 * versions/delete-version.ts), and anything added later (lifecycle, an admin API, the command line) must too.
 * A new version over a locked current one, and a delete marker on top of it, remove nothing: S3 allows them.
 */
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectLock } from '../../object-lock.js';

/** What holds a version now: its legal hold, its retention (by mode), or nothing. */
export function lockInForce(lock: ObjectLock, now = Date.now()): 'legal-hold' | 'COMPLIANCE' | 'GOVERNANCE' | undefined {
  if (lock.legalHold === true) return 'legal-hold';
  const r = lock.retention;
  if (r && Date.parse(r.retainUntil) > now) return r.mode;
  return undefined;
}

/** Who asks, and how. */
export interface DeleteRequest {
  key: string;
  versionId: string;
  /** The requester may bypass GOVERNANCE retention and asked to (x-amz-bypass-governance-retention). */
  bypassGovernance?: boolean;
  now?: number;
}

/** Throws AccessDenied, naming the lock, when `lock` forbids deleting the version now. */
export function assertDeletable(lock: ObjectLock, req: DeleteRequest): void {
  const held = lockInForce(lock, req.now);
  if (held === undefined || (held === 'GOVERNANCE' && req.bypassGovernance)) return;
  const what = `version ${req.versionId} of '${req.key}'`;
  const why = held === 'legal-hold'
    ? `${what} is under a legal hold`
    : `${what} is under ${held} retention until ${lock.retention!.retainUntil}${held === 'GOVERNANCE' ? ' (a user allowed to bypass governance retention may send x-amz-bypass-governance-retention: true)' : ''}`;
  throw new S3Error('AccessDenied', `Access Denied because object protected by object lock: ${why}.`);
}
