/**
 * The S3 actions a bucket policy may name (IAM's names, not always the operation's: ListObjectsV2 is
 * s3:ListBucket), each with the kind of resource it applies to. AWS refuses a policy naming an action it
 * does not know, or an action that applies to none of the statement's resources.
 */
import { wildcardMatch } from './wildcard.js';

/** What an action's Resource must name: the bucket ARN, an object ARN, or neither (account-wide). */
export type ResourceKind = 'bucket' | 'object' | 'account';

const BUCKET = [
  'CreateBucket', 'DeleteBucket', 'DeleteBucketPolicy', 'DeleteBucketOwnershipControls', 'DeleteBucketWebsite',
  'GetAccelerateConfiguration', 'GetAnalyticsConfiguration', 'GetBucketAcl', 'GetBucketCORS', 'GetBucketLocation',
  'GetBucketLogging', 'GetBucketNotification', 'GetBucketObjectLockConfiguration', 'GetBucketOwnershipControls',
  'GetBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketPublicAccessBlock', 'GetBucketRequestPayment', 'GetBucketTagging',
  'GetBucketVersioning', 'GetBucketWebsite', 'GetEncryptionConfiguration', 'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration', 'GetLifecycleConfiguration', 'GetMetricsConfiguration', 'GetReplicationConfiguration',
  'ListBucket', 'ListBucketMultipartUploads', 'ListBucketVersions',
  'PutAccelerateConfiguration', 'PutAnalyticsConfiguration', 'PutBucketAcl', 'PutBucketCORS', 'PutBucketLogging',
  'PutBucketNotification', 'PutBucketObjectLockConfiguration', 'PutBucketOwnershipControls', 'PutBucketPolicy',
  'PutBucketPublicAccessBlock', 'PutBucketRequestPayment', 'PutBucketTagging', 'PutBucketVersioning', 'PutBucketWebsite',
  'PutEncryptionConfiguration', 'PutIntelligentTieringConfiguration', 'PutInventoryConfiguration',
  'PutLifecycleConfiguration', 'PutMetricsConfiguration', 'PutReplicationConfiguration',
];

const OBJECT = [
  'AbortMultipartUpload', 'BypassGovernanceRetention', 'DeleteObject', 'DeleteObjectTagging', 'DeleteObjectVersion',
  'DeleteObjectVersionTagging', 'GetObject', 'GetObjectAcl', 'GetObjectAttributes', 'GetObjectLegalHold',
  'GetObjectRetention', 'GetObjectTagging', 'GetObjectTorrent', 'GetObjectVersion', 'GetObjectVersionAcl',
  'GetObjectVersionAttributes', 'GetObjectVersionForReplication', 'GetObjectVersionTagging', 'GetObjectVersionTorrent',
  'ListMultipartUploadParts', 'ObjectOwnerOverrideToBucketOwner', 'PutObject', 'PutObjectAcl', 'PutObjectLegalHold',
  'PutObjectRetention', 'PutObjectTagging', 'PutObjectVersionAcl', 'PutObjectVersionTagging', 'ReplicateDelete',
  'ReplicateObject', 'ReplicateTags', 'RestoreObject',
];

const ACCOUNT = ['ListAllMyBuckets', 'GetAccountPublicAccessBlock', 'PutAccountPublicAccessBlock'];

/** Every known action, `s3:Name` → the resource kind it applies to. */
export const S3_ACTIONS: ReadonlyMap<string, ResourceKind> = new Map([
  ...BUCKET.map((a) => [`s3:${a}`, 'bucket'] as const),
  ...OBJECT.map((a) => [`s3:${a}`, 'object'] as const),
  ...ACCOUNT.map((a) => [`s3:${a}`, 'account'] as const),
]);

/** Whether a policy's action pattern (`s3:Get*`, `*`) names `action`: IAM compares actions case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, { ignoreCase: true });
}

/** The known actions a pattern names, with their resource kinds (empty: the pattern names nothing S3 knows). */
export function actionsNamedBy(pattern: string): ResourceKind[] {
  const kinds: ResourceKind[] = [];
  for (const [action, kind] of S3_ACTIONS) if (actionMatches(pattern, action)) kinds.push(kind);
  return kinds;
}
