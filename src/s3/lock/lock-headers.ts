/**
 * The x-amz-object-lock-* headers: read from PutObject, CopyObject and CreateMultipartUpload (the version's
 * lock), written on GET and HEAD answers. Errors as S3 gives them.
 */
import { S3Error } from '../../errors/s3-error.js';
import { headerOf, type HeaderBag } from '../../http/headers.js';
import type { ObjectLock, RetentionMode } from '../../storage/backend.js';

/** A retention mode as S3 spells it; anything else is `undefined`. */
export function retentionModeOf(v: string | undefined): RetentionMode | undefined {
  return v === 'GOVERNANCE' || v === 'COMPLIANCE' ? v : undefined;
}

/**
 * A retain-until date as S3 takes it (ISO 8601 with a time zone), in the future: InvalidArgument otherwise.
 * Answered as ISO 8601 to the millisecond.
 */
export function retainUntilOf(v: string, now = Date.now()): string {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v.trim()) ? Date.parse(v.trim()) : NaN;
  if (Number.isNaN(ms)) throw new S3Error('InvalidArgument', 'The retain until date must be provided in ISO 8601 format.', { ArgumentName: 'RetainUntilDate', ArgumentValue: v });
  if (ms <= now) throw new S3Error('InvalidArgument', 'The retain until date must be in the future!', { ArgumentName: 'RetainUntilDate', ArgumentValue: v });
  return new Date(ms).toISOString();
}

/** The lock a write asks for; undefined without any x-amz-object-lock-* header. */
export function lockFromHeaders(h: HeaderBag): ObjectLock | undefined {
  const mode = headerOf(h, 'x-amz-object-lock-mode');
  const until = headerOf(h, 'x-amz-object-lock-retain-until-date');
  const hold = headerOf(h, 'x-amz-object-lock-legal-hold');
  if (mode === undefined && until === undefined && hold === undefined) return undefined;
  const lock: ObjectLock = {};
  if (mode !== undefined || until !== undefined) {
    if (mode === undefined || until === undefined) {
      throw new S3Error('InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied.',
        { ArgumentName: mode === undefined ? 'x-amz-object-lock-mode' : 'x-amz-object-lock-retain-until-date' });
    }
    const m = retentionModeOf(mode);
    if (!m) throw new S3Error('InvalidArgument', 'Unknown wormMode directive.', { ArgumentName: 'x-amz-object-lock-mode', ArgumentValue: mode });
    lock.retention = { mode: m, retainUntil: retainUntilOf(until) };
  }
  if (hold !== undefined) {
    if (hold !== 'ON' && hold !== 'OFF') {
      throw new S3Error('InvalidArgument', 'Legal Hold must be either of \'ON\' or \'OFF\'', { ArgumentName: 'x-amz-object-lock-legal-hold', ArgumentValue: hold });
    }
    lock.legalHold = hold === 'ON';
  }
  return lock;
}

/** The x-amz-object-lock-* headers of a GET or HEAD answer. */
export function lockHeaders(lock: ObjectLock | undefined): Record<string, string> {
  if (!lock) return {};
  return {
    ...(lock.retention ? { 'x-amz-object-lock-mode': lock.retention.mode, 'x-amz-object-lock-retain-until-date': lock.retention.retainUntil } : {}),
    ...(lock.legalHold !== undefined ? { 'x-amz-object-lock-legal-hold': lock.legalHold ? 'ON' : 'OFF' } : {}),
  };
}
