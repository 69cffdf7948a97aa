/**
 * A bucket's object lock configuration, kept in bucket.json with its versioning: enabled at CreateBucket
 * (x-amz-bucket-object-lock-enabled) or later on a bucket whose versioning is Enabled (S3's rule since 2023),
 * never disabled; and the retention a new version gets from it.
 */
import { S3Error } from '../../../errors/s3-error.js';
import type { ObjectLock, ObjectLockConfiguration, Retention } from '../../object-lock.js';
import type { Bucket } from '../buckets/bucket.js';
import { cachedBucketSettings, readBucketSettings, updateBucketSettings } from '../buckets/bucket-settings.js';

/** The bucket's lock configuration (as cached for writes), undefined when lock is not enabled. */
export async function lockConfigOf(bucket: Bucket, fresh = false): Promise<ObjectLockConfiguration | undefined> {
  const settings = fresh ? await readBucketSettings(bucket) : await cachedBucketSettings(bucket);
  return settings.objectLock?.enabled === true ? settings.objectLock : undefined;
}

/** The lock configuration of a bucket that must have one: InvalidRequest otherwise, as S3 answers object lock requests. */
export async function requireLock(bucket: Bucket, fresh = false): Promise<ObjectLockConfiguration> {
  const config = await lockConfigOf(bucket, fresh);
  if (!config) throw new S3Error('InvalidRequest', `Bucket is missing Object Lock Configuration: '${bucket.name}' was not created with object lock enabled.`);
  return config;
}

/** The settings a bucket created with object lock starts with: versioning Enabled, lock enabled, no default retention. */
export function lockedBucketSettings(now = Date.now()): { versioning: 'Enabled'; versioningEnabledAt: number; objectLock: ObjectLockConfiguration } {
  return { versioning: 'Enabled', versioningEnabledAt: now, objectLock: { enabled: true } };
}

/**
 * PutObjectLockConfiguration: enables lock (versioning must be Enabled: InvalidBucketState otherwise) and sets or
 * clears the default retention. Existing versions keep the retention they have: a default applies to new ones.
 */
export async function putLockConfiguration(bucket: Bucket, config: ObjectLockConfiguration): Promise<void> {
  bucket.assertWritable();
  const settings = await readBucketSettings(bucket);
  if (!settings.objectLock?.enabled && settings.versioning !== 'Enabled') {
    throw new S3Error('InvalidBucketState', 'Versioning must be \'Enabled\' on the bucket to apply a Object Lock configuration.');
  }
  await updateBucketSettings(bucket, { objectLock: config }, bucket.settings.fsync);
}

/**
 * The lock a new version gets: what the request asked, else the bucket's default retention counted from `now`
 * (stamped on the version: a later change of the default does not move it). InvalidRequest when the request
 * asks for a lock in a bucket without; undefined when nothing applies.
 */
export async function lockForNewVersion(bucket: Bucket, asked: ObjectLock | undefined, now = Date.now()): Promise<ObjectLock | undefined> {
  const wants = asked !== undefined && (asked.retention !== undefined || asked.legalHold !== undefined);
  const config = wants ? await requireLock(bucket) : await lockConfigOf(bucket);
  if (!config) return undefined;
  const retention = asked?.retention ?? defaultRetention(config, now);
  const lock: ObjectLock = { ...(retention ? { retention } : {}), ...(asked?.legalHold !== undefined ? { legalHold: asked.legalHold } : {}) };
  return lock.retention || lock.legalHold !== undefined ? lock : undefined;
}

function defaultRetention(config: ObjectLockConfiguration, now: number): Retention | undefined {
  const d = config.defaultRetention;
  if (!d) return undefined;
  const until = new Date(now);
  if (d.days !== undefined) until.setUTCDate(until.getUTCDate() + d.days);
  else if (d.years !== undefined) until.setUTCFullYear(until.getUTCFullYear() + d.years);
  else return undefined;
  return { mode: d.mode, retainUntil: until.toISOString() };
}

/** What a write brings that decides whether it may carry a lock (checkLockable). */
export interface LockableWrite {
  /** The lock the request asked for (x-amz-object-lock-*). */
  asked: ObjectLock | undefined;
  /** The key is a directory object (`a/`). */
  dirObject: boolean;
  /**
   * For a write with a body (PutObject): whether the client declared a digest of it (Content-MD5 or an
   * x-amz-checksum-* value, sent or in a trailer). Undefined for writes without a body (CopyObject, CreateMultipartUpload).
   */
  bodyDigest?: boolean;
}

/** S3's words when a body that will be locked comes without a digest. */
export const LOCK_NEEDS_DIGEST = 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters';

/**
 * Refuses, before any data is read, what a write cannot have: a lock asked of a bucket without lock
 * (InvalidRequest), a lock on a directory object (`a/`), which has no versions to lock (NotImplemented), or a
 * body to be locked (its own lock headers or the bucket's default retention) without a declared digest
 * (InvalidRequest, as S3: bytes kept for years must be known to be the bytes the client sent).
 */
export async function checkLockable(bucket: Bucket, write: LockableWrite): Promise<void> {
  const { asked, dirObject, bodyDigest } = write;
  if (!dirObject && bodyDigest !== false) {
    if (asked !== undefined && (asked.retention !== undefined || asked.legalHold !== undefined)) await requireLock(bucket);
    return;
  }
  const lock = await lockForNewVersion(bucket, asked);
  if (lock && dirObject) {
    throw new S3Error('NotImplemented', 'Object lock on a directory object (a key ending in \'/\') is not implemented: it has no versions to lock.');
  }
  if (lock && bodyDigest === false) throw new S3Error('InvalidRequest', LOCK_NEEDS_DIGEST);
}
