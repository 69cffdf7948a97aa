/**
 * The S3 answer for a failure of the file system itself that no handler turned into an S3 error: one that a
 * client can act on, not "InternalError, please try again". A read-only file system (a NAS export mounted ro,
 * ext4 remounted ro after an error) refuses every write: AccessDenied, as a permission refusal is answered. A
 * full file system or exhausted quota: InsufficientStorage (507), retrying helps only once space is freed.
 * Everything else stays InternalError (undefined here).
 */
import { S3Error } from './s3-error.js';

/** The S3 error for `e` when it is such a file-system failure (by its errno code), else undefined. */
export function fileSystemFailure(e: unknown): S3Error | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  switch (code) {
    case 'EROFS':
      return new S3Error('AccessDenied', 'Access denied: the file system holding this bucket is read-only (EROFS).');
    case 'ENOSPC':
      return new S3Error('InsufficientStorage', 'The file system holding this bucket has no space left (ENOSPC).');
    case 'EDQUOT':
      return new S3Error('InsufficientStorage', 'The file system holding this bucket is over its quota (EDQUOT).');
    default:
      return undefined;
  }
}
