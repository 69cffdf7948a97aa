/** A staging file: new object data written aside in the bucket's .dirbucket/tmp, then renamed into place. */
import { randomBytes } from 'node:crypto';
import { fstatSync, type BigIntStats } from 'node:fs';
import { lstat, open, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { networkFsOf } from '../../../fsutil/network-fs.js';
import type { Bucket } from '../buckets/bucket.js';
import type { MetaRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';
import { ownerTag } from '../../../fsutil/lock-owner.js';
import type { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';

/**
 * One staging file. Lives in the bucket (same file system as the target, so the rename is atomic) and is
 * removed with its record by discard() on every failure path: a failed write leaves no trace.
 */
export class Staging {
  private sealed?: { key: string; ino: bigint };

  private constructor(readonly path: string, private handle: FileHandle | undefined, private readonly store: MetadataStore,
    /** The file is someone else's (a multipart upload's assembly file): never removed here. */
    readonly borrowed = false,
    /** The bucket's switch for synchronous metadata calls (seal's fstat). */
    private readonly quick?: SyncWhileFast) {}

  /** Creates an empty staging file in the bucket, open for writing. */
  static async create(bucket: Bucket, store: MetadataStore): Promise<Staging> {
    const path = `${bucket.tmpDir}/${stagingName()}`;
    // The staging directory almost always exists: created only when the open says it is missing, which saves
    // every PUT a mkdir.
    const fh = await open(path, 'wx', 0o666).catch(async (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await bucket.ensureTmpDir();
      return open(path, 'wx', 0o666);
    });
    return new Staging(path, fh, store, false, bucket.quick);
  }

  /**
   * Adopts a file already written at `path` (e.g. by copyFile), opening it for sealing. A `borrowed` file is
   * left where it is on every failure: discard() then only closes it and forgets its record.
   */
  static async adopt(path: string, store: MetadataStore, opts: { borrowed?: boolean } = {}): Promise<Staging> {
    const staging = new Staging(path, undefined, store, opts.borrowed);
    staging.handle = await open(path, 'r+').catch(async (e: unknown) => {
      if (!opts.borrowed) await unlink(path).catch(() => {});
      throw e;
    });
    return staging;
  }

  /** A fresh staging path in the bucket (nothing created), for writers that create the file themselves. */
  static async freshPath(bucket: Bucket): Promise<string> {
    return `${await bucket.ensureTmpDir()}/${stagingName()}`;
  }

  /** The open handle, for writing the data. */
  get fh(): FileHandle {
    if (!this.handle) throw new Error('staging file is closed');
    return this.handle;
  }

  /**
   * Finishes the data: takes the file's stats, stores the record made from them under `key` (on the inode,
   * before the rename, so data and metadata appear together), fsyncs when asked and closes the file.
   */
  async seal(key: string, makeRecord: (stats: BigIntStats) => MetaRecord, fsync: boolean): Promise<{ stats: BigIntStats; record: MetaRecord }> {
    const fh = this.fh;
    let stats = this.quick?.sync ? this.quick.timed(() => fstatSync(fh.fd, { bigint: true })) : await fh.stat({ bigint: true });
    let record = makeRecord(stats);
    this.sealed = { key, ino: stats.ino };
    await this.store.write(this.path, key, record);
    if (fsync) await fh.sync(); // after the xattr, so the record is durable with the data
    this.handle = undefined;
    await fh.close();
    // A network file system's client may show the writer an mtime that its servers do not keep (MooseFS: the
    // master sets whole seconds once the data reaches it): a record holding it would never match what readers
    // see, and the object would show a synthetic ETag for good. There the mtime is set explicitly once the data
    // is in, and read back from the server's answer. Local file systems keep the stats as taken: no extra call.
    if (await networkFsOf(this.path.slice(0, this.path.lastIndexOf('/')))) {
      const at = new Date(Number(stats.mtimeNs / 1_000_000n));
      await utimes(this.path, at, at);
      const final = await lstat(this.path, { bigint: true });
      if (final.mtimeNs !== stats.mtimeNs || final.size !== stats.size) {
        stats = final;
        record = makeRecord(final);
        await this.store.write(this.path, key, record);
        if (fsync) await syncFile(this.path);
      }
    }
    this.record = record;
    return { stats, record };
  }

  /** The record the file was sealed with (a versioned commit stamps its version on it). */
  record?: MetaRecord;

  /** The rename/link consumed the staging name: nothing is left to discard. */
  committed(): void {
    this.sealed = undefined;
    this.#gone = true;
  }

  /** The staging name was consumed by the commit: discard() has nothing to remove (no unlink to fail). */
  #gone = false;

  /** Removes the staging file (unless borrowed) and any record written for it. Never throws: it runs on failure paths. */
  async discard(): Promise<void> {
    const fh = this.handle;
    this.handle = undefined;
    await fh?.close().catch(() => {});
    if (!this.borrowed && !this.#gone) await unlink(this.path).catch(() => {});
    if (this.sealed) await this.store.forget(this.sealed.key, this.sealed.ino).catch(() => {});
  }
}

/**
 * A fresh staging name: time, randomness, and this process's owner tag (fsutil/lock-owner.ts), by which the
 * staging sweep (staging-sweep.ts) tells a file whose writer was killed from one still being written.
 */
export function stagingName(): string {
  return `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}.${ownerTag()}`;
}

async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
