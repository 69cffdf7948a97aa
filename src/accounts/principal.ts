/** Who a request acts for (the principal), and what the front end asks of the accounts: key lookup and the account book. */
import type { Credential, CredentialStore } from './credentials.js';
import type { Identity } from './identity.js';
import type { BucketAccess } from './users-file.js';

/** Who is asking: the user behind the access key, with the identity and rights requests run with. */
export interface Principal {
  user: string;
  accessKeyId: string;
  /** The POSIX identity the file-system checks are made for, and new files belong to. */
  identity: Identity;
  /** Read-write on every bucket, may create buckets and delete any bucket (file-system checks still apply). */
  admin: boolean;
  canCreateBuckets: boolean;
  /** The user's S3 rights on a bucket (an administrator: read-write everywhere). */
  access(bucket: string): BucketAccess | 'none';
  /** An unsigned request: no rights of its own, only what ACL grants to everyone allow (identity/anonymous.ts). */
  anonymous?: boolean;
}

/** Where handlers record what an S3 operation changes in users' rights (bucket creation and deletion). */
export interface AccountBook {
  /** `user` created `bucket`: read-write for them, no earlier grants of that name for anybody else. */
  bucketCreated(user: string, bucket: string): Promise<void>;
  /** `bucket` was deleted: grants on it go too. */
  bucketDeleted(bucket: string): Promise<void>;
}

/** Users and keys as the front end needs them: key lookup, who a key acts for, and the account book. */
export interface Accounts extends CredentialStore, AccountBook {
  /** The principal of an authenticated key; throws AccessDenied when its user cannot be served. */
  principal(credential: Credential): Principal;
  /** The identity of user `name` (a bucket's creator), if there is such a user. */
  userIdentity(name: string): Identity | undefined;
  /** The identity set for `bucket` with `dirbucket bucket identity`, if one is. */
  bucketIdentity(bucket: string): Identity | undefined;
}
