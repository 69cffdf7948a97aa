/**
 * What an ACL means in a bucket: who owns the bucket, its Object Ownership setting, and from those the ACL an
 * object or bucket shows when none is stored — or always, with ACLs disabled (BucketOwnerEnforced).
 */
import { ADMIN_USER } from '../../accounts/user-directory.js';
import type { AccessControlList, Grant, ObjectAttachments, ObjectOwnership, PublicAccessBlock } from '../../storage/backend.js';
import { ALL_USERS, AUTHENTICATED_USERS, cannedGrants, type CannedAcl } from './grants.js';
import { S3Error } from '../../errors/s3-error.js';
import { ownerOf } from '../owner.js';
import type { S3Request } from '../types.js';

export interface AclContext {
  /** The bucket's owner: the user who created it through S3, else the administrator. */
  bucketOwner: string;
  /** ObjectWriter when never set (the behaviour of buckets before Object Ownership existed). */
  ownership: ObjectOwnership;
  /** The bucket's public access block: BlockPublicAcls refuses public ACLs, IgnorePublicAcls disregards them. */
  publicAccessBlock?: PublicAccessBlock;
}

/** The ACL context of the request's bucket. */
export async function aclContextOf(req: Pick<S3Request, 'backend' | 'bucket'>): Promise<AclContext> {
  const [info, { ownership, publicAccessBlock }] = await Promise.all([
    req.backend.headBucket({ bucket: req.bucket }),
    req.backend.getBucketConfigs({ bucket: req.bucket }),
  ]);
  return { bucketOwner: info.owner ?? ADMIN_USER, ownership: ownership ?? 'ObjectWriter', publicAccessBlock };
}

/** Whether `grants` are exactly the bucket owner's FULL_CONTROL: the one ACL a BucketOwnerEnforced bucket accepts. */
export function isBucketOwnerFullControl(grants: readonly Grant[], bucketOwner: string): boolean {
  const id = ownerOf(bucketOwner).ID;
  return grants.length > 0 && grants.every((g) => g.permission === 'FULL_CONTROL' && g.grantee.type === 'CanonicalUser' && g.grantee.id === id);
}

/** Whether a grant is public as S3 counts it: to everyone, or to every authenticated AWS user. */
export function isPublicGrant(g: Grant): boolean {
  return g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS);
}

/**
 * Refuses, as S3 does with the bucket's BlockPublicAcls set, an ACL with a public grant (AccessDenied); then
 * refuses, as S3 does with ACLs disabled, any ACL but the bucket owner's full control. S3 judges the form: of the
 * canned ACLs only bucket-owner-full-control passes (`private` does not, even from the bucket owner); explicit
 * grants pass when they are exactly the bucket owner's FULL_CONTROL.
 */
export function checkAclAllowed(ctx: AclContext, grants: readonly Grant[] | undefined, canned?: CannedAcl): void {
  if (ctx.publicAccessBlock?.blockPublicAcls && grants?.some(isPublicGrant)) {
    throw new S3Error('AccessDenied', 'Access Denied: the bucket\'s public access block (BlockPublicAcls) refuses public ACLs.');
  }
  if (ctx.ownership !== 'BucketOwnerEnforced' || grants === undefined) return;
  const ok = canned !== undefined ? canned === 'bucket-owner-full-control' : isBucketOwnerFullControl(grants, ctx.bucketOwner);
  if (!ok) {
    throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs: its Object Ownership is BucketOwnerEnforced; send no ACL, or bucket-owner-full-control.');
  }
}

/** The default ACL of something `owner` owns: their FULL_CONTROL alone. */
export function defaultAcl(owner: string): AccessControlList {
  return { owner, grants: cannedGrants('private', owner, owner) };
}

/**
 * The ACL an object has: with ACLs disabled, the bucket owner's full control; else its stored grants, or the
 * default for its owner. An object never written through S3 is owned by the bucket owner.
 */
export function objectAcl(info: ObjectAttachments, ctx: AclContext): AccessControlList {
  if (ctx.ownership === 'BucketOwnerEnforced') return defaultAcl(ctx.bucketOwner);
  const owner = info.owner ?? ctx.bucketOwner;
  return info.grants ? { owner, grants: info.grants } : defaultAcl(owner);
}

/** The ACL a bucket has: with ACLs disabled, or none stored, its owner's full control. */
export function bucketAcl(stored: AccessControlList | undefined, ctx: AclContext): AccessControlList {
  if (ctx.ownership === 'BucketOwnerEnforced' || !stored) return defaultAcl(ctx.bucketOwner);
  return stored;
}
