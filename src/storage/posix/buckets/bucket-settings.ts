/** Bucket-level settings kept with the bucket, in <bucket>/.dirbucket/bucket.json, so they move with the data. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import type { BucketConfig, VersioningStatus } from '../../backend.js';
import type { Bucket } from './bucket.js';
import { errnoOf } from '../paths/errno.js';

/** The contents of bucket.json; fields are added as features arrive. */
export interface BucketSettings extends Partial<BucketConfig> {
  versioning?: 'Enabled' | 'Suspended';
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
 * Merges `patch` into the bucket's settings, written aside and renamed so a reader never sees half a file.
 * Read-modify-write without a lock: settings change rarely, and only through bucket-level operations.
 */
export async function updateBucketSettings(bucket: Bucket, patch: Partial<BucketSettings>, fsync: boolean): Promise<void> {
  const settings = { ...(await readBucketSettings(bucket)), ...patch };
  await mkdir(bucket.stateDir, { recursive: true });
  const tmp = `${settingsFile(bucket)}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(JSON.stringify(settings, null, 2) + '\n');
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, settingsFile(bucket)).catch(async (e: unknown) => {
    await unlink(tmp).catch(() => {});
    throw e;
  });
}

/** The path of the settings file. */
export function settingsFile(bucket: Bucket): string {
  return `${bucket.stateDir}/bucket.json`;
}

/** Reads the bucket's settings; an absent file means none were ever set. */
export async function readBucketSettings(bucket: Bucket): Promise<BucketSettings> {
  try {
    return JSON.parse(await readFile(settingsFile(bucket), 'utf8')) as BucketSettings;
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return {};
    throw e;
  }
}

/** The versioning status, undefined if versioning was never configured. */
export async function versioningOf(bucket: Bucket): Promise<VersioningStatus> {
  const v = (await readBucketSettings(bucket)).versioning;
  return v === 'Enabled' || v === 'Suspended' ? v : undefined;
}
