/** Bucket configuration (tags, CORS rules, object ownership, the bucket ACL, policy, public access block, lifecycle rules), kept in the bucket's bucket.json. */
import type { BucketConfig } from '../../backend.js';
import type { Bucket } from './bucket.js';
import { cachedBucketSettings, updateBucketSettings } from './bucket-settings.js';
import type { LifecycleRule } from '../../lifecycle-rules.js';
import { isArchiveClass } from '../../storage-class.js';
import { tierDirOf } from '../archive/tier.js';

/** The configuration settings, without the bucket's other state. */
const CONFIG_NAMES: readonly (keyof BucketConfig)[] = ['tags', 'cors', 'ownership', 'acl', 'policy', 'publicAccessBlock', 'lifecycle'];

/** One setting, undefined when never set (cached: bucket-settings.ts cachedBucketSettings). */
export async function getBucketConfig<K extends keyof BucketConfig>(bucket: Bucket, name: K): Promise<BucketConfig[K] | undefined> {
  return (await cachedBucketSettings(bucket))[name] as BucketConfig[K] | undefined;
}

/** Every setting that is set, in one (cached) read. */
export async function getBucketConfigs(bucket: Bucket): Promise<Partial<BucketConfig>> {
  const settings = await cachedBucketSettings(bucket);
  const out: Partial<Record<keyof BucketConfig, unknown>> = {};
  for (const name of CONFIG_NAMES) if (settings[name] !== undefined) out[name] = settings[name];
  return out as Partial<BucketConfig>;
}

/** Sets one setting, or removes it (`value` undefined). A read-only bucket refuses. */
export async function putBucketConfig<K extends keyof BucketConfig>(bucket: Bucket, name: K, value: BucketConfig[K] | undefined): Promise<void> {
  bucket.assertWritable();
  if (name === 'lifecycle') refuseTierlessTransitions(bucket, (value ?? []) as LifecycleRule[]);
  await updateBucketSettings(bucket, { [name]: value }, bucket.settings.fsync);
}

/**
 * Rules that would move objects to an archive class in a bucket with no archive tier are refused when they are
 * set, as a PUT with that class is (InvalidStorageClass naming --archive-dir), rather than accepted and refused by
 * the lifecycle job key by key, where only the log would say so.
 */
function refuseTierlessTransitions(bucket: Bucket, rules: readonly LifecycleRule[]): void {
  for (const r of rules) {
    for (const t of [...r.transitions, ...r.noncurrentTransitions]) if (isArchiveClass(t.storageClass)) tierDirOf(bucket, t.storageClass);
  }
}
