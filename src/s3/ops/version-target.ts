/**
 * The version an object-attachment operation (tagging, ACL) addresses. Reading any version works; changing the
 * tags or ACL of a noncurrent version is not built yet, so it answers 501 rather than silently changing the
 * current version instead.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { ObjectInfo } from '../../storage/backend.js';
import type { S3Request } from '../types.js';

/** The object info of the version named by `?versionId=` (NoSuchVersion, InvalidArgument), or of the current one. */
export function headVersion(req: S3Request): Promise<ObjectInfo> {
  return req.backend.headObject({ bucket: req.bucket, key: req.key, identity: req.principal.identity, versionId: req.query.get('versionId') ?? undefined });
}

/** For a change: passes when no version or the current version is named; 501 for a noncurrent version. */
export async function requireCurrentVersion(req: S3Request): Promise<void> {
  const asked = req.query.get('versionId');
  if (asked === null) return;
  const [named, current] = await Promise.all([headVersion(req), req.backend.headObject({ bucket: req.bucket, key: req.key, identity: req.principal.identity }).catch(() => undefined)]);
  if (current === undefined || (named.versionId ?? 'null') !== (current.versionId ?? 'null')) {
    throw new S3Error('NotImplemented', `${req.operation} of a noncurrent version is not implemented yet; only the current version's can be changed.`);
  }
}
