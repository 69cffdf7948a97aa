/** Bucket configuration (tags, CORS rules, object ownership, the bucket ACL, policy, public access block), kept in the bucket's bucket.json. */
import type { BucketConfig } from '../../backend.js';
import type { Bucket } from './bucket.js';
import { readBucketSettings, updateBucketSettings } from './bucket-settings.js';

/** One setting, undefined when never set. */
export async function getBucketConfig<K extends keyof BucketConfig>(bucket: Bucket, name: K): Promise<BucketConfig[K] | undefined> {
  return (await readBucketSettings(bucket))[name] as BucketConfig[K] | undefined;
}

/** Sets one setting, or removes it (`value` undefined). A read-only bucket refuses. */
export async function putBucketConfig<K extends keyof BucketConfig>(bucket: Bucket, name: K, value: BucketConfig[K] | undefined): Promise<void> {
  bucket.assertWritable();
  await updateBucketSettings(bucket, { [name]: value }, bucket.settings.fsync);
}
