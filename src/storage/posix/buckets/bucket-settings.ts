/** Bucket-level settings kept with the bucket, in <bucket>/.dirbucket/bucket.json, so they move with the data. */
import { mkdir, readFile } from 'node:fs/promises';
import { updateJsonFile } from '../../../fsutil/update-json-file.js';
import type { BucketConfig, ObjectLockConfiguration } from '../../backend.js';
import type { Bucket } from './bucket.js';
import { errnoOf } from '../paths/errno.js';

/** The contents of bucket.json; fields are added as features arrive. */
export interface BucketSettings extends Partial<BucketConfig> {
  versioning?: 'Enabled' | 'Suspended';
  /** When versioning was first enabled (ms since the epoch): older files at keys with nothing kept are `null` versions. */
  versioningEnabledAt?: number;
  /** How versions are kept (versions/context.ts): hard links (default) or reflink clones. */
  versionsKeep?: 'link' | 'clone';
  /** Object lock: enabled for good once set (object-lock/bucket-lock.ts), with the default retention. */
  objectLock?: ObjectLockConfiguration;
  /** The user who created the bucket through S3: its owner (may delete it). */
  owner?: string;
  /** Octal permission bits taken away from new files and directories (no default ACL); default "022". */
  umask?: string;
}

/** The umask new entries get where a bucket sets none. */
export const DEFAULT_UMASK = 0o022;

/** The bucket's umask as a number: its setting when valid octal, else DEFAULT_UMASK. */
export function umaskOf(settings: BucketSettings): number {
  return typeof settings.umask === 'string' && /^[0-7]{1,4}$/.test(settings.umask) ? parseInt(settings.umask, 8) & 0o777 : DEFAULT_UMASK;
}

/**
 * Merges `patch` into the bucket's settings (a field set to undefined is removed), under the file's lock:
 * several gateways may change one bucket's settings at once, and none may lose another's change.
 */
export async function updateBucketSettings(bucket: Pick<Bucket, 'stateDir'>, patch: Partial<BucketSettings>, fsync: boolean): Promise<void> {
  await mkdir(bucket.stateDir, { recursive: true });
  await updateJsonFile(settingsFile(bucket), {
    read: readSettingsFile,
    change: (settings: BucketSettings) => void Object.assign(settings, patch),
    write: { pretty: true, mode: 0o644, fsync },
  });
  cached.delete(bucket);
}

/** The path of the settings file. */
export function settingsFile(bucket: Pick<Bucket, 'stateDir'>): string {
  return `${bucket.stateDir}/bucket.json`;
}

/** Reads the bucket's settings; an absent file means none were ever set. */
export function readBucketSettings(bucket: Pick<Bucket, 'stateDir'>): Promise<BucketSettings> {
  return readSettingsFile(settingsFile(bucket));
}

async function readSettingsFile(file: string): Promise<BucketSettings> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BucketSettings;
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return {};
    throw e;
  }
}


/** How long settings read for a write are taken as read: they change rarely, a PUT should not read them each time. */
export const SETTINGS_TTL_MS = 2000;
const cached = new WeakMap<object, { settings: Promise<BucketSettings>; until: number }>();

/**
 * The bucket's settings as last read, at most SETTINGS_TTL_MS ago (and fresh after this process changed them):
 * for the paths every write takes (umask, versioning). Another gateway's change is seen within the TTL, as
 * S3 itself asks clients to allow for a versioning change to propagate.
 */
export function cachedBucketSettings(bucket: Pick<Bucket, 'stateDir'>): Promise<BucketSettings> {
  const now = performance.now();
  let entry = cached.get(bucket);
  if (!entry || entry.until <= now) {
    // A file that cannot be read or parsed fails what depends on it (never read as "no settings": that would drop
    // a policy's Deny); the failure is cached for the TTL like a success.
    const settings = readBucketSettings(bucket);
    settings.catch(() => {});
    entry = { settings, until: now + SETTINGS_TTL_MS };
    cached.set(bucket, entry);
  }
  return entry.settings;
}
