/** S3 access control lists as the storage keeps them: an owner (a user name) and grants to users or groups. */

/** The rights a grant gives (S3's ACL permissions). */
export type Permission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL';

/** Whom a grant is for: a user by canonical id, or one of S3's predefined groups by URI. */
export type Grantee =
  | { type: 'CanonicalUser'; id: string; displayName?: string }
  | { type: 'Group'; uri: string };

export interface Grant {
  grantee: Grantee;
  permission: Permission;
}

/** An object's or bucket's ACL. `owner` is an S3 user name; the grants include the owner's own, as S3 shows them. */
export interface AccessControlList {
  owner: string;
  grants: Grant[];
}

/** S3 Object Ownership of a bucket: with BucketOwnerEnforced, ACLs are disabled and the bucket owner owns every object. */
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
