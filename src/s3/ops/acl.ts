/** ACLs: GetObjectAcl, PutObjectAcl, GetBucketAcl, PutBucketAcl, and the ACL and Object Ownership of CreateBucket. */
import type { Grant, ObjectOwnership } from '../../storage/backend.js';
import { aclContextOf, bucketAcl, checkAclAllowed, isBucketOwnerFullControl, objectAcl, type AclContext } from '../acl/context.js';
import { aclHeadersOf, requestedGrants } from '../acl/grants.js';
import { accessControlPolicyXml, parseAccessControlPolicy } from '../acl/policy.js';
import { S3Error } from '../../errors/s3-error.js';
import { ownerOf } from '../owner.js';
import { headVersion, versionTarget } from './version-target.js';
import type { Handler, S3Request } from '../types.js';

export const GetObjectAcl: Handler = async (req) => {
  const [info, ctx] = await Promise.all([
    headVersion(req),
    aclContextOf(req),
  ]);
  return { headers: { 'x-amz-version-id': info.versionId }, xml: { root: 'AccessControlPolicy', body: accessControlPolicyXml(objectAcl(info, ctx)) } };
};

/**
 * The grants a Put*Acl request sets on something `owner` owns: from the ACL headers or an AccessControlPolicy
 * body (one of them, as S3 requires), refused when the bucket disables ACLs unless the bucket owner's full control.
 */
async function grantsOf(req: S3Request, owner: string, ctx: AclContext): Promise<Grant[]> {
  const asked = aclHeadersOf(req.headers);
  const body = await req.readBody(req.settings.maxXmlBytes);
  if (asked && body.length > 0) throw new S3Error('InvalidRequest', 'Give an ACL either in headers or in an AccessControlPolicy body, not both.');
  if (!asked && body.length === 0) {
    throw new S3Error('MissingSecurityHeader', 'Your request was missing a required header: x-amz-acl, an x-amz-grant-* header, or an AccessControlPolicy body.',
      { MissingHeaderName: 'x-amz-acl' });
  }
  const grants = asked ? requestedGrants(asked, owner, ctx.bucketOwner)! : parseAccessControlPolicy(body.toString('utf8'), ownerOf(owner).ID);
  checkAclAllowed(ctx, grants, asked && 'canned' in asked ? asked.canned : undefined);
  return grants;
}

export const PutObjectAcl: Handler = async (req) => {
  const [info, ctx] = await Promise.all([headVersion(req), aclContextOf(req)]);
  const { owner } = objectAcl(info, ctx);
  const grants = await grantsOf(req, owner, ctx);
  // With ACLs disabled the only accepted ACL is the one the object has anyway: nothing to store.
  if (ctx.ownership === 'BucketOwnerEnforced') return { headers: { 'x-amz-version-id': info.versionId } };
  const done = await req.backend.putObjectAttachments({ ...versionTarget(req), owner, grants });
  return { headers: { 'x-amz-version-id': done.versionId } };
};

export const GetBucketAcl: Handler = async (req) => {
  const [stored, ctx] = await Promise.all([req.backend.getBucketConfig({ bucket: req.bucket, name: 'acl' }), aclContextOf(req)]);
  return { xml: { root: 'AccessControlPolicy', body: accessControlPolicyXml(bucketAcl(stored, ctx)) } };
};

export const PutBucketAcl: Handler = async (req) => {
  const ctx = await aclContextOf(req);
  const grants = await grantsOf(req, ctx.bucketOwner, ctx);
  if (ctx.ownership === 'BucketOwnerEnforced') return {};
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'acl', value: { owner: ctx.bucketOwner, grants } });
  return {};
};

const OWNERSHIPS: readonly ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

/**
 * CreateBucket's x-amz-acl / x-amz-grant-* and x-amz-object-ownership, checked before the bucket is made (a
 * refused request makes nothing); apply() stores them once it exists. The creator owns the bucket.
 */
export function creationSettingsOf(req: S3Request): { apply(): Promise<void> } {
  const ownership = req.header('x-amz-object-ownership')?.trim() as ObjectOwnership | undefined;
  if (ownership !== undefined && !OWNERSHIPS.includes(ownership)) {
    throw new S3Error('InvalidArgument', `Invalid x-amz-object-ownership: use one of ${OWNERSHIPS.join(', ')}.`,
      { ArgumentName: 'x-amz-object-ownership', ArgumentValue: ownership });
  }
  const owner = req.principal.user;
  const grants = requestedGrants(aclHeadersOf(req.headers), owner, owner);
  const fullControlOnly = grants === undefined || isBucketOwnerFullControl(grants, owner);
  if (ownership === 'BucketOwnerEnforced' && !fullControlOnly) {
    throw new S3Error('InvalidBucketAclWithObjectOwnership', 'Bucket cannot have ACLs set with ObjectOwnership\'s BucketOwnerEnforced setting.');
  }
  return {
    async apply() {
      if (ownership) await req.backend.putBucketConfig({ bucket: req.bucket, name: 'ownership', value: ownership });
      if (!fullControlOnly) await req.backend.putBucketConfig({ bucket: req.bucket, name: 'acl', value: { owner, grants: grants! } });
    },
  };
}
