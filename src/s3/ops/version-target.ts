/** The version an object-attachment operation (tagging, ACL, attributes) addresses: `?versionId=`, or the current one. */
import type { ObjectInfo, ObjectRef } from '../../storage/backend.js';
import type { S3Request } from '../types.js';

/** The object info of the version named by `?versionId=` (NoSuchVersion, InvalidArgument), or of the current one. */
export function headVersion(req: S3Request): Promise<ObjectInfo> {
  return req.backend.headObject(versionTarget(req));
}

/** The object, or its version named by `?versionId=`, that a change (tags, ACL) addresses. */
export function versionTarget(req: S3Request): ObjectRef {
  return { bucket: req.bucket, key: req.key, identity: req.identity, versionId: req.query.get('versionId') ?? undefined };
}
