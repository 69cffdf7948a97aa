/**
 * The write preconditions (conditional PUT, copy and CompleteMultipartUpload): the current object's ETag, or
 * its absence, and the parsed conditions → a verdict. Callers evaluate it at commit time, under their locks.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { WriteConditions } from '../backend.js';
import { matchesEtag } from './etag-match.js';

/** Proceed, or why not: a failed condition (412, naming its header) or, for If-Match on no object, 404 as S3 answers. */
export type WriteVerdict =
  | { ok: true }
  | { ok: false; error: 'PreconditionFailed'; condition: 'If-Match' | 'If-None-Match' }
  | { ok: false; error: 'NoSuchKey' };

const PROCEED: WriteVerdict = { ok: true };

/** Evaluates `conditions` against the current object's ETag (undefined when there is no object). If-None-Match first. */
export function evaluateWrite(conditions: WriteConditions | undefined, current: string | undefined): WriteVerdict {
  if (!conditions) return PROCEED;
  if (conditions.ifNoneMatch !== undefined && current !== undefined) {
    return { ok: false, error: 'PreconditionFailed', condition: 'If-None-Match' };
  }
  if (conditions.ifMatch !== undefined) {
    if (current === undefined) return { ok: false, error: 'NoSuchKey' };
    if (!matchesEtag(conditions.ifMatch, current)) return { ok: false, error: 'PreconditionFailed', condition: 'If-Match' };
  }
  return PROCEED;
}

/** Throws the S3 error of a refused write to `key`; returns when the conditions hold. */
export function checkWrite(conditions: WriteConditions | undefined, current: string | undefined, key: string): void {
  const v = evaluateWrite(conditions, current);
  if (v.ok) return;
  if (v.error === 'NoSuchKey') throw new S3Error('NoSuchKey', undefined, { Key: key });
  throw new S3Error('PreconditionFailed', undefined, { Condition: v.condition });
}
