/** Options of the POSIX storage back end. */

/** A bucket mapped by configuration to any directory. */
export interface MappedBucket {
  name: string;
  path: string;
  readOnly: boolean;
  /** This bucket's archive tier, over PosixOptions.archiveDir. */
  archiveDir?: string;
}

/** How the back end is set up: which directories are buckets, and how it stores and syncs. */
export interface PosixOptions {
  /** Root mode: every direct subdirectory of root with a valid S3 bucket name is a bucket; CreateBucket mkdirs. */
  root?: string;
  /** Mapped buckets (from a config file): name → any directory, read-only or read-write. */
  buckets?: MappedBucket[];
  /** auto: xattr where the file system accepts user.* xattrs, else sidecar. Default auto. */
  metadata?: 'auto' | 'xattr' | 'sidecar';
  /** fsync each file before its rename and the parent directory after. Default true. */
  fsync?: boolean;
  /** Follow symbolic links that stay inside the bucket. Default false. */
  followSymlinks?: boolean;
  /** Multipart uploads older than this are removed by the background sweep. Default 7 days; 0 turns the sweep off. */
  multipartExpiryMs?: number;
  /** The archive tier (GLACIER, DEEP_ARCHIVE, GLACIER_IR data) of every bucket without one of its own. */
  archiveDir?: string;
  /** Seconds in a lifecycle day: restore expiry counts Days of this length. Default 86400. */
  lifecycleDaySeconds?: number;
}

/** The settings every bucket operation consults, with defaults applied. */
export interface PosixSettings {
  metadata: 'auto' | 'xattr' | 'sidecar';
  fsync: boolean;
  followSymlinks: boolean;
  /** The archive tier of the bucket (its own, or the gateway's); none: archive classes are refused. */
  archiveDir?: string;
  /** Seconds in a lifecycle day (restore Days); 86400 when undefined. */
  daySeconds?: number;
}

/** PosixOptions with their defaults filled in. */
export function settingsOf(opts: PosixOptions): PosixSettings {
  return {
    metadata: opts.metadata ?? 'auto', fsync: opts.fsync ?? true, followSymlinks: opts.followSymlinks ?? false,
    ...(opts.archiveDir !== undefined ? { archiveDir: opts.archiveDir } : {}), daySeconds: opts.lifecycleDaySeconds ?? 86_400,
  };
}
