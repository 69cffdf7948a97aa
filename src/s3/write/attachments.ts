/**
 * Owner, ACL grants and tags of an object a request writes (PutObject, CopyObject, CreateMultipartUpload), from
 * x-amz-acl / x-amz-grant-* and x-amz-tagging, under the bucket's Object Ownership.
 */
import type { ObjectAttachments, Tag } from '../../storage/backend.js';
import { aclContextOf, checkAclAllowed } from '../acl/context.js';
import { aclHeadersOf, requestedGrants } from '../acl/grants.js';
import { S3Error } from '../../errors/s3-error.js';
import { parseTaggingHeader } from '../tags.js';
import type { S3Request } from '../types.js';

/** The tags of x-amz-tagging, checked; undefined when the header is absent. */
export function taggingHeaderOf(req: S3Request): Tag[] | undefined {
  const v = req.header('x-amz-tagging');
  return v === undefined ? undefined : parseTaggingHeader(v);
}

/**
 * The owner and grants of a new object. Without ACL headers the writer owns it with the default ACL, and the
 * bucket's settings are not even read (the common case stays one request to the file system cheaper). With
 * them: refused when the bucket disables ACLs (unless the bucket owner's full control), and under
 * BucketOwnerPreferred, bucket-owner-full-control hands the object to the bucket owner, as S3 does.
 */
export async function writtenAcl(req: S3Request): Promise<Pick<ObjectAttachments, 'owner' | 'grants'>> {
  const asked = aclHeadersOf(req.headers);
  if (!asked) return { owner: req.principal.user };
  const ctx = await aclContextOf(req);
  const grants = requestedGrants(asked, req.principal.user, ctx.bucketOwner);
  checkAclAllowed(ctx, grants, 'canned' in asked ? asked.canned : undefined);
  const toBucketOwner = ctx.ownership === 'BucketOwnerEnforced'
    || (ctx.ownership === 'BucketOwnerPreferred' && 'canned' in asked && asked.canned === 'bucket-owner-full-control');
  if (toBucketOwner) return { owner: ctx.bucketOwner };
  return { owner: req.principal.user, grants };
}

/** Owner, grants and tags of a PutObject or CreateMultipartUpload. */
export async function writeAttachments(req: S3Request): Promise<ObjectAttachments> {
  const tags = taggingHeaderOf(req);
  return { ...(await writtenAcl(req)), ...(tags ? { tags } : {}) };
}

/**
 * Owner, grants and tags of a CopyObject: x-amz-tagging-directive COPY (the default) keeps the source's tags
 * (tags undefined), REPLACE takes x-amz-tagging, or none.
 */
export async function copyAttachments(req: S3Request): Promise<ObjectAttachments> {
  const directive = (req.header('x-amz-tagging-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown tagging directive.', { ArgumentName: 'x-amz-tagging-directive', ArgumentValue: directive });
  }
  const acl = await writtenAcl(req);
  return directive === 'REPLACE' ? { ...acl, tags: taggingHeaderOf(req) ?? [] } : acl;
}
