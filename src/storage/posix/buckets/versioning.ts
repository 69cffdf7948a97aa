/**
 * A bucket's versioning, as bucket.json keeps it: the status PutBucketVersioning set, when versioning was first
 * enabled, and how versions are kept (link or clone); and what the versions store (versions/) needs from it.
 */
import { constants } from 'node:fs';
import { copyFile, link, unlink, writeFile } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { VersioningStatus } from '../../backend.js';
import type { MetadataStore } from '../metadata/store.js';
import { errnoOf } from '../paths/errno.js';
import type { VersionsContext, VersioningPolicy } from '../versions/context.js';
import { scratchName } from '../../../fsutil/lock-owner.js';
import type { Bucket } from './bucket.js';
import { cachedBucketSettings, readBucketSettings, updateBucketSettings, type BucketSettings } from './bucket-settings.js';

/** A versioned bucket's policy and keep mode; undefined for a bucket that never had versioning. */
export interface BucketVersioning {
  policy: VersioningPolicy;
  keep: VersionsContext['keep'];
}

function versioningIn(settings: BucketSettings): BucketVersioning | undefined {
  const status = settings.versioning;
  if (status !== 'Enabled' && status !== 'Suspended') return undefined;
  const enabledAt = typeof settings.versioningEnabledAt === 'number' ? settings.versioningEnabledAt : undefined;
  // A lock-enabled bucket keeps each version in its own inode: a NAS rewrite of the file at the path must never
  // change a version that is (or may become) locked, and only a kept entry of its own can be made immutable.
  const keep = settings.objectLock?.enabled ? 'copy' : settings.versionsKeep === 'clone' ? 'clone' : 'link';
  return { policy: { status, ...(enabledAt !== undefined ? { enabledAt } : {}) }, keep };
}

/** The versioning every write and read consults (cached: bucket-settings.ts cachedBucketSettings). */
export async function versioningOf(bucket: Bucket): Promise<BucketVersioning | undefined> {
  return versioningIn(await cachedBucketSettings(bucket));
}

/** GetBucketVersioning: read fresh from bucket.json. */
export async function versioningStatus(bucket: Bucket): Promise<VersioningStatus> {
  return versioningIn(await readBucketSettings(bucket))?.policy.status;
}

/** What the versions store needs to work on `bucket`. */
export function versionsContext(bucket: Bucket, store: MetadataStore, v: BucketVersioning): VersionsContext {
  return { root: bucket.dir, stateDir: bucket.stateDir, store, fsync: bucket.settings.fsync, keep: v.keep };
}

/**
 * PutBucketVersioning: Enabled or Suspended (a bucket never goes back to unversioned). Enabling checks first
 * that the bucket's file system can keep versions: hard links (and reflinks, for a bucket set to clone mode).
 */
export async function putBucketVersioning(bucket: Bucket, status: 'Enabled' | 'Suspended'): Promise<void> {
  bucket.assertWritable();
  const settings = await readBucketSettings(bucket);
  if (status === 'Suspended' && settings.objectLock?.enabled) {
    throw new S3Error('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
  }
  if (status === 'Enabled') await probeKeeping(bucket, settings.versionsKeep === 'clone' ? 'clone' : 'link');
  const patch: Partial<BucketSettings> = { versioning: status };
  if (status === 'Enabled' && typeof settings.versioningEnabledAt !== 'number') patch.versioningEnabledAt = Date.now();
  await updateBucketSettings(bucket, patch, bucket.settings.fsync);
}

// Versions are links (or clones) of the object's inode under the bucket's state directory: a file system
// without them could keep no version, so versioning is refused rather than half working.
async function probeKeeping(bucket: Bucket, keep: 'link' | 'clone'): Promise<void> {
  const dir = await bucket.ensureTmpDir();
  const src = `${dir}/${scratchName('link-probe')}`;
  const dest = `${dir}/${scratchName('link-probe')}`;
  try {
    await writeFile(src, 'probe', { flag: 'wx' });
    try {
      await link(src, dest);
    } catch (e) {
      throw new S3Error('InvalidRequest', `Versioning cannot be enabled on bucket '${bucket.name}': its file system does not support hard links (${errnoOf(e) ?? String(e)}), which keep its versions.`);
    }
    await unlink(dest);
    if (keep === 'clone') {
      try {
        await copyFile(src, dest, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
      } catch (e) {
        throw new S3Error('InvalidRequest', `Versioning cannot be enabled on bucket '${bucket.name}' in clone mode: its file system cannot clone files (${errnoOf(e) ?? String(e)}); set "versionsKeep" to "link" in its bucket.json.`);
      }
    }
  } finally {
    await unlink(src).catch(() => {});
    await unlink(dest).catch(() => {});
  }
}
