/** The POSIX storage back end: a directory tree served as S3 buckets (local disk or NAS mount). */
import {
  NotImplementedBackend, type BucketInfo, type CopyObjectInput, type ListObjectsInput, type ListObjectsResult,
  type ObjectInfo, type ObjectRef, type PutObjectInput, type PutObjectResult, type ReadHandle, type VersioningStatus,
} from '../backend.js';
import { versioningOf } from './bucket-settings.js';
import { BucketRegistry } from './buckets.js';
import { copyObject } from './copy.js';
import { deleteObject } from './delete.js';
import { listObjects } from './list.js';
import { settingsOf, type PosixOptions } from './options.js';
import { headObject, openForRead } from './read.js';
import { putObject } from './write.js';

export type { PosixOptions } from './options.js';

/**
 * Implements the storage interface over a directory tree. Each method resolves the bucket, then hands off
 * to the file that implements the operation; nothing here knows about HTTP.
 */
export class PosixBackend extends NotImplementedBackend {
  private readonly buckets: BucketRegistry;

  constructor(opts: PosixOptions) {
    super();
    if (opts.root === undefined && !opts.buckets?.length) throw new Error('PosixBackend needs a root directory or mapped buckets');
    this.buckets = new BucketRegistry(opts.root, opts.buckets, settingsOf(opts));
  }

  override async listBuckets(): Promise<BucketInfo[]> {
    return this.buckets.list();
  }

  override async createBucket(input: { bucket: string }): Promise<void> {
    return this.buckets.create(input.bucket);
  }

  override async headBucket(input: { bucket: string }): Promise<BucketInfo> {
    return this.buckets.info(await this.buckets.get(input.bucket));
  }

  override async deleteBucket(input: { bucket: string }): Promise<void> {
    return this.buckets.delete(input.bucket);
  }

  override async getBucketVersioning(input: { bucket: string }): Promise<VersioningStatus> {
    return versioningOf(await this.buckets.get(input.bucket));
  }

  override async putObject(input: PutObjectInput): Promise<PutObjectResult> {
    return putObject(await this.buckets.get(input.bucket), input);
  }

  override async getObject(input: ObjectRef): Promise<ReadHandle> {
    return openForRead(await this.buckets.get(input.bucket), input.key);
  }

  override async headObject(input: ObjectRef): Promise<ObjectInfo> {
    return headObject(await this.buckets.get(input.bucket), input.key);
  }

  override async deleteObject(input: ObjectRef): Promise<void> {
    return deleteObject(await this.buckets.get(input.bucket), input.key);
  }

  override async copyObject(input: CopyObjectInput): Promise<PutObjectResult> {
    const source = await this.buckets.get(input.source.bucket);
    return copyObject(source, await this.buckets.get(input.bucket), input);
  }

  override async listObjects(input: ListObjectsInput): Promise<ListObjectsResult> {
    return listObjects(await this.buckets.get(input.bucket), input);
  }
}
