/** The bucket registry: root-mode subdirectories plus mapped buckets; list, look up, create, delete. */
import { lstatSync, statSync, type BigIntStats } from 'node:fs';
import { lstat, mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { BucketInfo, CreateBucketInput } from '../../backend.js';
import { bucketNameProblem, isValidBucketName } from '../../../config/bucket-name.js';
import { Bucket } from './bucket.js';
import { readBucketSettings, updateBucketSettings } from './bucket-settings.js';
import { newEntryOwner, ownNewDirectory } from '../paths/new-entry-owner.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { isDirectoryObject } from '../list/list.js';
import type { PosixOptions, PosixSettings } from '../options.js';
import { RESERVED_NAME } from '../paths/reserved.js';
import { walk } from '../list/walk.js';
import { hasKeptVersions } from '../versions/kept-walk.js';
import { versionsRootOf } from '../versions/layout.js';
import { lockedBucketSettings } from '../object-lock/bucket-lock.js';
import type { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';

/**
 * Knows which buckets exist. Mapped buckets come from the configuration (and take precedence); in root
 * mode every direct subdirectory of the root with a valid bucket name is one, looked up on the file system
 * at each call so buckets made or removed on the NAS appear and disappear at once.
 */
export class BucketRegistry {
  private readonly mapped = new Map<string, Bucket>();
  private readonly rooted = new Map<string, Bucket>();

  constructor(private readonly root: string | undefined, mapped: PosixOptions['buckets'], private readonly settings: PosixSettings) {
    for (const b of mapped ?? []) {
      this.mapped.set(b.name, new Bucket(b.name, b.path, { readOnly: b.readOnly, mapped: true },
      b.archiveDir !== undefined ? { ...settings, archiveDir: b.archiveDir } : settings));
    }
  }

  /**
   * The directories the buckets live in, for readiness checks: the root (new buckets are made in it) and every
   * bucket's directory, whether or not it is reachable now; `writable` says whether writes are expected there.
   */
  async directories(): Promise<{ what: string; dir: string; writable: boolean }[]> {
    const out = [...this.mapped.values()].map((b) => ({ what: `bucket ${b.name}`, dir: b.dir, writable: !b.access.readOnly }));
    if (this.root === undefined) return out;
    out.unshift({ what: 'root', dir: this.root, writable: true });
    for (const entry of await readdir(this.root, { withFileTypes: true }).catch(() => [])) {
      if (isValidBucketName(entry.name) && !this.mapped.has(entry.name) && (entry.isDirectory() || entry.isSymbolicLink())) {
        out.push({ what: `bucket ${entry.name}`, dir: `${this.root}/${entry.name}`, writable: true });
      }
    }
    return out;
  }

  /** Every bucket, sorted by name, with its creation date (birth time where the file system has one). */
  async list(): Promise<BucketInfo[]> {
    const names = new Set(this.mapped.keys());
    if (this.root !== undefined) {
      for (const entry of await readdir(this.root, { withFileTypes: true })) {
        if (isValidBucketName(entry.name) && (entry.isDirectory() || (entry.isSymbolicLink() && this.settings.followSymlinks))) {
          names.add(entry.name);
        }
      }
    }
    const infos: BucketInfo[] = [];
    for (const name of [...names].sort()) {
      const bucket = await this.find(name);
      const info = bucket && (await this.info(bucket).catch(() => undefined)); // gone meanwhile: not listed
      if (info) infos.push(info);
    }
    return infos;
  }

  /**
   * The bucket named `name` as last found, without asking the file system again (else as get() finds it); for
   * reads whose caller learns anyway whether the bucket exists (authorization reading the settings: the
   * operation itself then answers NoSuchBucket).
   */
  async known(name: string): Promise<Bucket> {
    return this.mapped.get(name) ?? this.rooted.get(name) ?? this.get(name);
  }

  /** The bucket named `name`; NoSuchBucket if there is none. */
  async get(name: string): Promise<Bucket> {
    const bucket = await this.find(name);
    if (!bucket) throw new S3Error('NoSuchBucket', undefined, { BucketName: name });
    return bucket;
  }

  /** Name, creation date, owner (when it was created through S3) and whether it has an archive tier, of an existing bucket. */
  async info(bucket: Bucket): Promise<BucketInfo> {
    const st = await stat(bucket.dir, { bigint: true });
    const { owner } = await readBucketSettings(bucket).catch(() => ({ owner: undefined }));
    return { name: bucket.name, creationDate: creationDate(st), ...(typeof owner === 'string' ? { owner } : {}), archiveTier: bucket.settings.archiveDir !== undefined };
  }

  /**
   * CreateBucket: root mode only; makes the directory, owned by `input.identity` (with the mode the default
   * umask or the root's default ACL gives), and records `input.owner` as the bucket's owner.
   */
  async create(input: CreateBucketInput): Promise<void> {
    const name = input.bucket;
    const problem = bucketNameProblem(name);
    if (problem) throw new S3Error('InvalidBucketName', problem, { BucketName: name });
    if (this.mapped.has(name) || (await this.find(name))) {
      throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
    }
    if (this.root === undefined) {
      throw new S3Error('AccessDenied', 'Buckets are defined by the configuration file: CreateBucket needs a root directory (--root).');
    }
    const dir = `${this.root}/${name}`;
    try {
      await mkdir(dir);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
      throw asAccessDenied(e, 'creating the bucket directory');
    }
    try {
      const bucket = (await this.find(name))!;
      const owner = await newEntryOwner(bucket, input.identity);
      if (owner) await ownNewDirectory(dir, this.root, owner);
      // A lock-enabled bucket is versioned from its first object on, for good (object-lock/bucket-lock.ts).
      const locked = input.objectLock ? lockedBucketSettings() : {};
      if (input.owner !== undefined || input.objectLock) {
        await updateBucketSettings(bucket, { ...(input.owner !== undefined ? { owner: input.owner } : {}), ...locked }, this.settings.fsync);
      }
      // The metadata store chosen now and noted in the state directory (bucket.ts): a process of the tree started
      // without --metadata (a `lifecycle run`, another gateway) then finds the records where this one keeps them.
      await bucket.store();
    } catch (e) {
      // A bucket half made (no owner recorded) would be nobody's: it goes again.
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      this.rooted.delete(name);
      throw e;
    }
  }

  /**
   * DeleteBucket: BucketNotEmpty if any key exists (an early-exit walk). Empty directories go with the bucket;
   * anything else that is not an object (a symlink, a special file, an unreadable entry) keeps it, named in
   * the error. Mapped buckets are configuration, not directories to remove.
   */
  async delete(name: string): Promise<void> {
    const bucket = await this.get(name);
    if (bucket.access.mapped) {
      throw new S3Error('MethodNotAllowed', `Bucket '${name}' is mapped by the configuration file and cannot be deleted through S3.`);
    }
    bucket.assertWritable();
    const store = await bucket.store();
    const keys = walk({ root: bucket.dir, prefix: '', followSymlinks: bucket.settings.followSymlinks,
      isDirectoryObject: (abs, key, empty) => isDirectoryObject(store, abs, key, { empty }) });
    for await (const item of keys) {
      throw new S3Error('BucketNotEmpty', `The bucket you tried to delete is not empty: it holds '${item.type === 'object' ? item.key : item.prefix}'.`, { BucketName: name });
    }
    // Versions and delete markers are objects too (S3 asks for every version to be deleted first).
    if (await hasKeptVersions(versionsRootOf(bucket.stateDir))) {
      throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty: it keeps versions or delete markers (ListObjectVersions shows them).', { BucketName: name });
    }
    const leftover = await removeEmptyDirs(bucket.dir, true);
    if (leftover) {
      throw new S3Error('BucketNotEmpty', `The bucket holds no objects but its directory is not empty: '${leftover}' is not an object (a symbolic link, special file or unreadable entry).`, { BucketName: name });
    }
    await rm(bucket.stateDir, { recursive: true, force: true });
    await rmdir(bucket.dir).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOTEMPTY' || errnoOf(e) === 'EEXIST') {
        throw new S3Error('BucketNotEmpty', 'The bucket changed while it was being deleted.', { BucketName: name });
      }
      throw asAccessDenied(e, 'removing the bucket directory');
    });
    this.rooted.delete(name);
  }

  private async find(name: string): Promise<Bucket | undefined> {
    const mapped = this.mapped.get(name);
    if (mapped) return (await isDirectory(mapped.dir, true, mapped.quick)) ? mapped : undefined;
    if (this.root === undefined || !isValidBucketName(name)) return undefined;
    const dir = `${this.root}/${name}`;
    let bucket = this.rooted.get(name);
    if (!(await isDirectory(dir, this.settings.followSymlinks, bucket?.quick))) {
      this.rooted.delete(name);
      return undefined;
    }
    if (!bucket) {
      bucket = new Bucket(name, dir, { readOnly: false, mapped: false }, this.settings);
      this.rooted.set(name, bucket);
    }
    return bucket;
  }
}

/** Whether `path` is a directory; synchronously while the bucket's `quick` allows (every request asks this). */
async function isDirectory(path: string, follow: boolean, quick?: SyncWhileFast): Promise<boolean> {
  try {
    if (quick?.sync) return quick.timed(() => (follow ? statSync(path) : lstatSync(path)).isDirectory());
    return (await (follow ? stat(path) : lstat(path))).isDirectory();
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return false;
    throw e;
  }
}

function creationDate(st: BigIntStats): Date {
  const ns = st.birthtimeNs > 0n ? st.birthtimeNs : st.mtimeNs;
  return new Date(Number(ns / 1_000_000n));
}

/**
 * Removes every empty directory below `dir` (bottom-up, not the internal state at the top); returns the
 * relative path of the first entry that is not a directory (nothing was an object, so it is something else).
 */
async function removeEmptyDirs(dir: string, top: boolean, rel = ''): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    if (errnoOf(e) === 'EACCES' || errnoOf(e) === 'EPERM') return undefined; // may hold objects we cannot see
    throw e;
  });
  if (!entries) return rel || '.';
  for (const entry of entries) {
    if (top && entry.name === RESERVED_NAME) continue;
    const path = `${dir}/${entry.name}`;
    if (!entry.isDirectory()) return `${rel}${entry.name}`;
    const leftover = await removeEmptyDirs(path, false, `${rel}${entry.name}/`);
    if (leftover) return leftover;
    await rmdir(path);
  }
  return undefined;
}
