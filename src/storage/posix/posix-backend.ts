/** The POSIX storage back end: a directory tree served as S3 buckets (local disk or NAS mount). */
import { checkDelete } from '../conditions/delete-conditions.js';
import { S3Error } from '../../errors/s3-error.js';
import { fileSystemReport, type FileSystemReport } from './file-system-report.js';
import {
  NotImplementedBackend, type BucketInfo, type CompleteMultipartUploadInput, type CompleteMultipartUploadResult,
  type CopyObjectInput, type CreateMultipartUploadInput, type ListMultipartUploadsInput, type ListMultipartUploadsResult,
  type BucketConfig, type DeleteObjectInput, type DeleteObjectResult, type ListObjectsInput, type ListObjectsResult, type ListObjectVersionsInput, type ListObjectVersionsResult, type ObjectAttachments, type ListPartsInput, type ListPartsResult, type ObjectInfo, type ObjectRef,
  type PutObjectInput, type PutObjectResult, type ReadHandle, type UploadPartCopyInput, type UploadPartCopyResult,
  type UploadPartInput, type UploadPartResult, type UploadRef, type VersioningStatus,
  type LockEnforcement, type ObjectLock, type ObjectLockConfiguration, type Retention,
} from '../backend.js';
import { access, constants, readdir } from 'node:fs/promises';
import type { Bucket } from './buckets/bucket.js';
import { classifyEntry, UploadPaths } from './multipart/upload-paths.js';
import { isUploadId } from './multipart/upload-id.js';
import type { CreateBucketInput } from '../backend.js';
import { fsAccessFor } from './permissions/fs-access.js';
import { putBucketVersioning, versioningOf, versioningStatus, versionsContext } from './buckets/versioning.js';
import { checkVersionMarkers, listObjectVersions, nullVersions } from './versions/list-versions.js';
import { getBucketConfig, getBucketConfigs, putBucketConfig } from './buckets/bucket-config.js';
import { BucketRegistry } from './buckets/buckets.js';
import { copyObject } from './write/copy.js';
import { deleteObject } from './write/delete.js';
import { listObjects } from './list/list.js';
import { putObjectAttachments } from './write/object-attachments.js';
import { abortMultipartUpload } from './multipart/abort.js';
import { completeMultipartUpload, partsDiscarded } from './multipart/complete.js';
import { createMultipartUpload } from './multipart/create.js';
import { listParts } from './multipart/list-parts.js';
import { listMultipartUploads } from './multipart/list-uploads.js';
import { DEFAULT_MULTIPART_EXPIRY_MS, sweepBuckets, sweepSchedule } from './multipart/sweeper.js';
import { uploadPartCopy } from './multipart/upload-part-copy.js';
import { uploadPart } from './multipart/upload-part.js';
import { settingsOf, type PosixOptions } from './options.js';
import { headObject, openForRead } from './read/read.js';
import { STAGING_SWEEP_MS, sweepStaging } from './write/staging-sweep.js';
import { networkFsOf } from '../../fsutil/network-fs.js';
import { putObject } from './write/write.js';
import { lockConfigOf, putLockConfiguration } from './object-lock/bucket-lock.js';
import { lockEnforcement } from './object-lock/enforcement.js';
import { liftExpired } from './object-lock/lift.js';
import { changedRetention } from './object-lock/retention-change.js';
import { changeVersionLock, getVersionLock, withLockOf } from './object-lock/version-lock-change.js';
import { versionsRootOf } from './versions/layout.js';

import { archivedWrite } from './archive/archived-write.js';
import { requestRestore } from './archive/restore-request.js';
import { archiveWork } from './archive/archive-work.js';
import { collectTier } from './archive/tier-gc.js';
import { checkStorageClass, transitionObject } from './archive/transition.js';

export type { PosixOptions } from './options.js';

/**
 * Implements the storage interface over a directory tree. Each method resolves the bucket, then hands off
 * to the file that implements the operation; nothing here knows about HTTP.
 */
export class PosixBackend extends NotImplementedBackend {
  private readonly buckets: BucketRegistry;
  private readonly multipartExpiryMs: number;

  constructor(opts: PosixOptions) {
    super();
    if (opts.root === undefined && !opts.buckets?.length) throw new Error('PosixBackend needs a root directory or mapped buckets');
    this.buckets = new BucketRegistry(opts.root, opts.buckets, settingsOf(opts));
    this.multipartExpiryMs = opts.multipartExpiryMs ?? DEFAULT_MULTIPART_EXPIRY_MS;
  }

  /** Every bucket that still exists, for background work. */
  private async allBuckets(): Promise<Bucket[]> {
    const found = await Promise.all((await this.buckets.list()).map((b) => this.buckets.get(b.name).catch(() => undefined)));
    return found.filter((b): b is Bucket => b !== undefined);
  }

  override async listBuckets(): Promise<BucketInfo[]> {
    return this.buckets.list();
  }

  override async createBucket(input: CreateBucketInput): Promise<void> {
    return this.buckets.create(input);
  }

  override async headBucket(input: { bucket: string }): Promise<BucketInfo> {
    return this.buckets.info(await this.buckets.get(input.bucket));
  }

  override async deleteBucket(input: { bucket: string }): Promise<void> {
    return this.buckets.delete(input.bucket);
  }

  override async getBucketVersioning(input: { bucket: string }): Promise<VersioningStatus> {
    return versioningStatus(await this.buckets.get(input.bucket));
  }

  override async putBucketVersioning(input: { bucket: string; status: 'Enabled' | 'Suspended' }): Promise<void> {
    return putBucketVersioning(await this.buckets.get(input.bucket), input.status);
  }

  override async putObject(input: PutObjectInput): Promise<PutObjectResult> {
    const bucket = await this.buckets.get(input.bucket);
    checkStorageClass(bucket, input.storageClass);
    return archivedWrite(bucket, input.key, input.storageClass, () => putObject(bucket, input));
  }

  override async getObject(input: ObjectRef): Promise<ReadHandle> {
    const bucket = await this.buckets.get(input.bucket);
    const handle = await openForRead(bucket, input.key, fsAccessFor(input.identity), input.versionId);
    try {
      await withLockOf(bucket, input.key, handle.info);
    } catch (e) {
      await handle.close();
      throw e;
    }
    return handle;
  }

  override async headObject(input: ObjectRef): Promise<ObjectInfo> {
    const bucket = await this.buckets.get(input.bucket);
    return withLockOf(bucket, input.key, await headObject(bucket, input.key, fsAccessFor(input.identity), input.versionId));
  }

  override async deleteObject(input: DeleteObjectInput): Promise<DeleteObjectResult> {
    const bucket = await this.buckets.get(input.bucket);
    if (input.conditions) {
      // A first look, so a delete that fails its conditions leaves the key alone; without versioning the delete
      // checks again what it takes (write/delete.ts), so a write landing in between is never deleted. With
      // versioning a delete makes a marker or removes a kept version, neither of which loses a write.
      const current = await headObject(bucket, input.key, fsAccessFor(input.identity), input.versionId).catch((e: unknown) => {
        if (e instanceof S3Error && (e.code === 'NoSuchKey' || e.code === 'NoSuchVersion')) return undefined;
        throw e;
      });
      checkDelete(input.conditions, current);
    }
    return deleteObject(bucket, input.key, input.identity, input.versionId, { owner: input.owner, bypassGovernance: input.bypassGovernance, conditions: input.conditions });
  }

  override async getObjectLockConfiguration(input: { bucket: string }): Promise<ObjectLockConfiguration | undefined> {
    return lockConfigOf(await this.buckets.get(input.bucket), true);
  }

  override async putObjectLockConfiguration(input: { bucket: string; config: ObjectLockConfiguration }): Promise<void> {
    return putLockConfiguration(await this.buckets.get(input.bucket), input.config);
  }

  override async getObjectLock(input: ObjectRef): Promise<{ versionId?: string; lock: ObjectLock }> {
    return getVersionLock(await this.buckets.get(input.bucket), input);
  }

  override async putObjectRetention(input: ObjectRef & { retention?: Retention }): Promise<{ versionId?: string }> {
    return changeVersionLock(await this.buckets.get(input.bucket), input, (old) => changedRetention(old, input.retention, input.bypassGovernance === true));
  }

  override async putObjectLegalHold(input: ObjectRef & { legalHold: boolean }): Promise<{ versionId?: string }> {
    return changeVersionLock(await this.buckets.get(input.bucket), input, (old) => ({ ...old, legalHold: input.legalHold }));
  }

  /** Every bucket with object lock enabled and how its locks are enforced (start-up banner, log, CLI). */
  async lockedBuckets(): Promise<{ name: string; enforcement: LockEnforcement }[]> {
    const out: { name: string; enforcement: LockEnforcement }[] = [];
    for (const bucket of await this.allBuckets()) {
      if (await lockConfigOf(bucket, true).catch(() => undefined)) out.push({ name: bucket.name, enforcement: await lockEnforcement(bucket) });
    }
    return out;
  }

  /**
   * The lock-expiry job (shape of server/jobs.ts's Job): the immutable attribute of versions whose retention has
   * ended is lifted (object-lock/lift.ts; in-process timers do it on time, this covers restarts and long dates).
   */
  lockExpiryJob(): { name: string; intervalMs: number; firstRunMs: number; run(signal: AbortSignal): Promise<void> } {
    return {
      name: 'lock-expiry', intervalMs: 60 * 60_000, firstRunMs: 60_000,
      run: async (signal) => {
        for (const bucket of await this.allBuckets()) {
          if (signal.aborted) return;
          if ((await lockConfigOf(bucket).catch(() => undefined)) && (await lockEnforcement(bucket)) === 'file-system') {
            await liftExpired(versionsRootOf(bucket.stateDir), signal);
          }
        }
      },
    };
  }

  override async copyObject(input: CopyObjectInput): Promise<PutObjectResult> {
    const source = await this.buckets.get(input.source.bucket);
    const target = await this.buckets.get(input.bucket);
    checkStorageClass(target, input.storageClass);
    return archivedWrite(target, input.key, input.storageClass, () => copyObject(source, target, input));
  }

  override async listObjects(input: ListObjectsInput): Promise<ListObjectsResult> {
    return listObjects(await this.buckets.get(input.bucket), input);
  }

  override async listObjectVersions(input: ListObjectVersionsInput): Promise<ListObjectVersionsResult> {
    const bucket = await this.buckets.get(input.bucket);
    const versioning = await versioningOf(bucket);
    const { prefix, delimiter, keyMarker, versionIdMarker, maxKeys, identity } = input;
    if (!versioning) {
      checkVersionMarkers(input, false);
      return nullVersions(await listObjects(bucket, { bucket: input.bucket, prefix, delimiter, startAfter: keyMarker, maxKeys, identity }));
    }
    const ctx = versionsContext(bucket, await bucket.store(), versioning);
    return listObjectVersions(ctx, { prefix, delimiter, keyMarker, versionIdMarker, maxKeys, followSymlinks: bucket.settings.followSymlinks,
      access: fsAccessFor(identity) }, versioning.policy);
  }

  override async putObjectAttachments(input: ObjectRef & ObjectAttachments): Promise<{ versionId?: string }> {
    return putObjectAttachments(await this.buckets.get(input.bucket), input);
  }

  override async getBucketConfig<K extends keyof BucketConfig>(input: { bucket: string; name: K }): Promise<BucketConfig[K] | undefined> {
    return getBucketConfig(await this.buckets.get(input.bucket), input.name);
  }

  override async getBucketConfigs(input: { bucket: string }): Promise<Partial<BucketConfig>> {
    // Asked before every request: the operation itself finds out whether the bucket is still there.
    return getBucketConfigs(await this.buckets.known(input.bucket));
  }

  override async putBucketConfig<K extends keyof BucketConfig>(input: { bucket: string; name: K; value: BucketConfig[K] | undefined }): Promise<void> {
    return putBucketConfig(await this.buckets.get(input.bucket), input.name, input.value);
  }

  override async createMultipartUpload(input: CreateMultipartUploadInput): Promise<{ uploadId: string }> {
    const bucket = await this.buckets.get(input.bucket);
    checkStorageClass(bucket, input.storageClass);
    return createMultipartUpload(bucket, input);
  }

  override async uploadPart(input: UploadPartInput): Promise<UploadPartResult> {
    return uploadPart(await this.buckets.get(input.bucket), input);
  }

  override async uploadPartCopy(input: UploadPartCopyInput): Promise<UploadPartCopyResult> {
    const source = await this.buckets.get(input.source.bucket);
    return uploadPartCopy(source, await this.buckets.get(input.bucket), input);
  }

  override async completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult> {
    const bucket = await this.buckets.get(input.bucket);
    const { upload } = await listParts(bucket, { ...input, maxParts: 0, partNumberMarker: 0 }).catch(() => ({ upload: undefined }));
    return archivedWrite(bucket, input.key, upload?.storageClass, () => completeMultipartUpload(bucket, input));
  }

  override async transitionObject(bucket: string, key: string, versionId: string | undefined, storageClass: string, signal?: AbortSignal): Promise<{ moved: boolean }> {
    return transitionObject(await this.buckets.get(bucket), key, versionId, storageClass, signal);
  }

  override async restoreObject(input: ObjectRef & { days: number }): Promise<{ started: boolean }> {
    const bucket = await this.buckets.get(input.bucket);
    // As the requester: the object must be one it can find (search on its directories).
    await headObject(bucket, input.key, fsAccessFor(input.identity), input.versionId);
    return requestRestore(bucket, input.key, input.versionId, input.days);
  }

  /**
   * The archive job (shape of server/jobs.ts's Job): settles the moves between the tree and the tier that a crash
   * interrupted (first run soon after start: until then a key caught mid-swap reads as missing), runs the restores
   * asked for and turns expired restored copies back into stubs. Every 2 s: a restore is not left waiting. Once a
   * lifecycle day (at most every 10 minutes) it also removes tier files no version refers to any more (tier-gc.ts).
   */
  archiveJob(): { name: string; intervalMs: number; firstRunMs: number; run(signal: AbortSignal): Promise<void> } {
    const collected = new Map<string, number>();
    return {
      name: 'archive', intervalMs: 2_000, firstRunMs: 500,
      run: async (signal) => {
        for (const bucket of await this.allBuckets()) {
          if (signal.aborted) return;
          if (bucket.access.readOnly) continue;
          await archiveWork(bucket, signal);
          const dayMs = (bucket.settings.daySeconds ?? 86_400) * 1000;
          if (Date.now() - (collected.get(bucket.name) ?? 0) >= Math.min(600_000, dayMs)) {
            collected.set(bucket.name, Date.now());
            await collectTier(bucket, Math.min(60_000, dayMs), signal);
          }
        }
      },
    };
  }

  override async abortMultipartUpload(input: UploadRef): Promise<void> {
    return abortMultipartUpload(await this.buckets.get(input.bucket), input);
  }

  override async listParts(input: ListPartsInput): Promise<ListPartsResult> {
    return listParts(await this.buckets.get(input.bucket), input);
  }

  override async listMultipartUploads(input: ListMultipartUploadsInput): Promise<ListMultipartUploadsResult> {
    return listMultipartUploads(await this.buckets.get(input.bucket), input);
  }

  /** One multipart sweep of every bucket now; nothing when uploads never expire (expiry 0). */
  async sweepMultipart(signal?: AbortSignal): Promise<void> {
    if (this.multipartExpiryMs > 0) await sweepBuckets(await this.allBuckets(), this.multipartExpiryMs, signal);
  }

  /**
   * The multipart sweep as a job for the server's scheduler (its shape is server/jobs.ts's Job); undefined when
   * uploads never expire. Safe with several gateways sweeping one tree.
   */
  multipartSweepJob(): { name: string; intervalMs: number; firstRunMs: number; run(signal: AbortSignal): Promise<void> } | undefined {
    if (this.multipartExpiryMs <= 0) return undefined;
    return { name: 'multipart-sweep', ...sweepSchedule(this.multipartExpiryMs), run: (signal) => this.sweepMultipart(signal) };
  }

  /**
   * The staging sweep as a job for the server's scheduler (server/jobs.ts's Job): every writable bucket's tmp
   * directory, rid of what killed writers left (write/staging-sweep.ts). Safe with several gateways on one tree.
   */
  stagingSweepJob(): { name: string; intervalMs: number; firstRunMs: number; run(signal: AbortSignal): Promise<void> } {
    return {
      name: 'staging-sweep', intervalMs: STAGING_SWEEP_MS, firstRunMs: 5000,
      run: async (signal) => {
        for (const bucket of await this.allBuckets()) {
          signal.throwIfAborted();
          if (!bucket.access.readOnly) await sweepStaging({ tmpDir: bucket.tmpDir, aliveDir: `${bucket.stateDir}/alive` });
        }
      },
    };
  }

  /**
   * The bucket directories (and root) on a network file system, with its kind: where several gateways, or the
   * gateway and other clients, see each other's changes only as the mount's caches allow (README, "Several
   * gateways on one network file system", lists the mount options each needs).
   */
  /** Each bucket's file system and its capabilities (xattrs, reflink, immutable), for the admin API. */
  async fileSystems(): Promise<FileSystemReport[]> {
    return Promise.all((await this.allBuckets()).map((b) => fileSystemReport(b)));
  }

  async networkFileSystems(): Promise<{ what: string; dir: string; kind: string }[]> {
    const found = await Promise.all((await this.buckets.directories()).map(async ({ what, dir }) => ({ what, dir, kind: await networkFsOf(dir) })));
    return found.filter((f): f is { what: string; dir: string; kind: string } => f.kind !== undefined);
  }

  /**
   * What keeps the storage from serving: each bucket directory (and the root) that cannot be reached, or cannot
   * be written where writes are expected (a read-only mount, say). Empty when all is well.
   */
  async readinessProblems(): Promise<string[]> {
    const problems = await Promise.all((await this.buckets.directories()).map(async ({ what, dir, writable }) => {
      try {
        await access(dir, writable ? constants.R_OK | constants.W_OK | constants.X_OK : constants.R_OK | constants.X_OK);
        return undefined;
      } catch (e) {
        return `${what} (${dir}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
      }
    }));
    return problems.filter((p): p is string => p !== undefined);
  }

  /** How many multipart uploads are open (created, not yet completed nor aborted) over every bucket. */
  async openMultipartUploads(): Promise<number> {
    let n = 0;
    for (const bucket of await this.allBuckets()) {
      const names = await readdir(UploadPaths.of(bucket).root).catch(() => [] as string[]);
      for (const name of names) if (isUploadId(name) || classifyEntry(name)?.kind === 'completing') n++;
    }
    return n;
  }

  override async close(): Promise<void> {
    await partsDiscarded();
  }
}
