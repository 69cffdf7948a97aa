/** Bucket-level settings kept with the bucket, in <bucket>/.dirbucket/bucket.json, so they move with the data. */
import { readFile } from 'node:fs/promises';
import type { VersioningStatus } from '../backend.js';
import type { Bucket } from './bucket.js';
import { errnoOf } from './errno.js';

/** The contents of bucket.json; fields are added as features arrive. */
export interface BucketSettings {
  versioning?: 'Enabled' | 'Suspended';
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
