/**
 * Bucket-level configuration the storage keeps with a bucket: tags, CORS rules, object ownership, the bucket ACL,
 * the bucket policy, the public access block and the lifecycle rules.
 */
import type { AccessControlList, ObjectOwnership } from './access-control.js';
import type { LifecycleRule } from './lifecycle-rules.js';

/** An object or bucket tag. The S3 limits (count, lengths, prefixes) are the front end's to check. */
export interface Tag {
  key: string;
  value: string;
}

/** One CORS rule of a bucket, as PutBucketCors gave it (methods upper-case). */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** Every bucket setting stored through the generic get/put of the storage interface, by name. */
export interface BucketConfig {
  tags: Tag[];
  cors: CorsRule[];
  ownership: ObjectOwnership;
  acl: AccessControlList;
  /** The bucket policy's JSON text, as PutBucketPolicy gave it (the front end parses and checks it). */
  policy: string;
  publicAccessBlock: PublicAccessBlock;
  /** The lifecycle rules, as PutBucketLifecycleConfiguration checked them. */
  lifecycle: LifecycleRule[];
}

/** The four settings of a bucket's public access block (S3's PublicAccessBlockConfiguration). */
export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}
