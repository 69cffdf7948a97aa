/** The errno code of a failed system call, from Node's errors and from @napi-rs/xattr's "(os error N)" messages. */
import { S3Error } from '../../../errors/s3-error.js';

const XATTR_ERRNOS: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 13: 'EACCES', 28: 'ENOSPC', 30: 'EROFS', 34: 'ERANGE', 61: 'ENODATA', 95: 'ENOTSUP', 122: 'EDQUOT' };

/** 'ENOENT' and the like, or undefined when `e` carries no errno. */
export function errnoOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('E')) return code;
  // @napi-rs/xattr reports errno only in its message (code 'GenericFailure'), on Linux numbering.
  const m = /\(os error (\d+)\)/.exec(String((e as { message?: unknown }).message));
  return m ? XATTR_ERRNOS[Number(m[1])] ?? `errno ${m[1]}` : undefined;
}

/** Maps a permission failure to AccessDenied; returns other errors unchanged, for rethrowing. */
export function asAccessDenied(e: unknown, what: string): unknown {
  const code = errnoOf(e);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new S3Error('AccessDenied', `Access denied: the file system refused ${what} (${code}).`);
  }
  return e;
}
