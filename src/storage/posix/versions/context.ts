/** What the versions store needs of a bucket: kept small, so it can be tested without a server or a Bucket. */
import { S3Error } from '../../../errors/s3-error.js';
import type { LockOptions } from '../../../fsutil/file-lock.js';
import type { MetadataStore } from '../metadata/store.js';

/** A versioned bucket as the versions store sees it. */
export interface VersionsContext {
  /** The bucket directory: current versions are the plain files under it. */
  root: string;
  /** The bucket's internal state directory (`<root>/.dirbucket`). */
  stateDir: string;
  store: MetadataStore;
  /** fsync data and directories before answering, as the bucket's writes do. */
  fsync: boolean;
  /**
   * How a version is kept in the store: 'link' (a hard link: free, but a NAS rewrite in place changes it too)
   * or 'clone' (a reflink copy where the file system can: XFS, Btrfs; a link elsewhere), or 'copy' (a clone
   * where the file system can, else a copy of the bytes: never the same inode; lock-enabled buckets).
   */
  keep: 'link' | 'clone' | 'copy';
}

/** The bucket's versioning state, as PutBucketVersioning left it. */
export interface VersioningPolicy {
  status: 'Enabled' | 'Suspended';
  /**
   * When versioning was first enabled (ms since the epoch): a file older than that at a key with no kept
   * versions predates versioning, and is the `null` version.
   */
  enabledAt?: number;
}

/**
 * The per-key commit lock (fsutil/file-lock.ts at layout.ts lockFileOf): held for a few syscalls, never while
 * data is written. A holder silent for 30 s (another host), or known dead (this host), is taken over; a writer
 * that cannot get the key within twice that answers OperationAborted, as S3 does for conflicting operations.
 */
export const KEY_LOCK: LockOptions = {
  staleMs: 30_000,
  waitMs: 60_000,
  makeDir: true, // the key's first version, or its directory pruned meanwhile
  busy: () => new S3Error('OperationAborted', 'Another request is changing this object; please try again.'),
};
