/** Multipart upload ids: random and unguessable, URL- and file-name-safe, and sortable by initiation time. */
import { randomBytes } from 'node:crypto';

// 12 hex digits of milliseconds since 1970 (good until the year 10889), then 128 random bits: ids of one key
// sort in initiation order, as ListMultipartUploads wants, and cannot be guessed.
const UPLOAD_ID = /^[0-9a-f]{12}[0-9a-f]{32}$/;

let lastMs = 0;

/**
 * A new upload id for an upload initiated at `now` (ms). Within this process ids are strictly increasing, so two
 * uploads of one key started in the same millisecond still list in the order they were started.
 */
export function newUploadId(now = Date.now()): string {
  lastMs = Math.max(now, lastMs + 1);
  return lastMs.toString(16).padStart(12, '0') + randomBytes(16).toString('hex');
}

/** Whether `s` has the form of an upload id; anything else can never name an upload (nor a path). */
export function isUploadId(s: string): boolean {
  return UPLOAD_ID.test(s);
}

/** When the upload named by a (valid) id was initiated. */
export function initiatedOf(uploadId: string): Date {
  return new Date(parseInt(uploadId.slice(0, 12), 16));
}
