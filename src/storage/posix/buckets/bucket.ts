/** One bucket: its directory, access mode, real root and (lazily detected) metadata store. */
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import { errnoOf } from '../paths/errno.js';
import { acceptsUserXattrs } from '../metadata/detect.js';
import { SidecarStore } from '../metadata/sidecar-store.js';
import type { MetadataStore } from '../metadata/store.js';
import { XattrStore } from '../metadata/xattr-store.js';
import type { PosixSettings } from '../options.js';
import { RESERVED_NAME } from '../paths/reserved.js';
import { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';
import { makeDirs } from '../../../fsutil/make-dirs.js';

/** A bucket as the back end works with it. Created by the bucket registry; cheap, and cached there. */
export class Bucket {
  private realRootPromise?: Promise<string>;
  private storePromise?: Promise<MetadataStore>;
  /**
   * Whether the few metadata calls of a read (lstat, fstat, the descriptor's path, the record) run synchronously:
   * while this bucket's file system answers them fast (a local disk, a warm cache), one call costs several times
   * less than a round trip through the thread pool; a slow one (a NAS) switches this bucket to awaited calls.
   */
  readonly quick = new SyncWhileFast(1);

  constructor(
    readonly name: string,
    /** The bucket's directory as configured (may itself be reached through symlinks). */
    readonly dir: string,
    readonly access: { readOnly: boolean; mapped: boolean },
    readonly settings: PosixSettings,
  ) {}

  /** The internal state directory: staging files, sidecars, bucket settings. */
  get stateDir(): string {
    return `${this.dir}/${RESERVED_NAME}`;
  }

  /** Where staging files are written: inside the bucket, so the final rename stays on one file system. */
  get tmpDir(): string {
    return `${this.stateDir}/tmp`;
  }

  /** The absolute path of the bucket directory with every symlink resolved; paths of keys must lie under it. */
  realRoot(): Promise<string> {
    this.realRootPromise ??= realpath(this.dir).catch((e: unknown) => {
      this.realRootPromise = undefined;
      throw e;
    });
    return this.realRootPromise;
  }

  /** Throws AccessDenied for a read-only bucket. */
  assertWritable(): void {
    if (this.access.readOnly) throw new S3Error('AccessDenied', `Access Denied by S3 rights: bucket '${this.name}' is read-only.`);
  }

  /** Creates the staging directory if needed and returns it (the server's staging sweep job tidies it). */
  async ensureTmpDir(): Promise<string> {
    await makeDirs(this.tmpDir);
    return this.tmpDir;
  }

  /** The metadata store, chosen once per bucket at first use (mode 'auto' probes the file system). */
  store(): Promise<MetadataStore> {
    this.storePromise ??= this.openStore().catch((e: unknown) => {
      this.storePromise = undefined;
      throw e;
    });
    return this.storePromise;
  }

  // The answer is kept in the state directory, so every gateway process serving this tree, and a read-only
  // bucket that cannot probe, use the store the records were written to.
  private async openStore(): Promise<MetadataStore> {
    const sidecars = new SidecarStore(`${this.stateDir}/meta`, this.settings.fsync, this.tmpDir, this.quick);
    const mode = this.settings.metadata === 'auto' ? await this.detectedMode() : this.settings.metadata;
    // A mode given explicitly is noted too (unless a note is there already), so that a
    // process of the tree started without the option (`dirbucket lifecycle run`, a second gateway) reads and writes
    // the records where this one does.
    if (this.settings.metadata !== 'auto' && !this.access.readOnly) {
      // The state directory made as detection makes it (through the staging directory); best effort either way.
      await this.ensureTmpDir().then(() => writeFile(`${this.stateDir}/metadata-store`, mode, { flag: 'wx' })).catch(() => {});
    }
    return mode === 'sidecar' ? sidecars : new XattrStore(sidecars, this.quick);
  }

  private async detectedMode(): Promise<'xattr' | 'sidecar'> {
    const file = `${this.stateDir}/metadata-store`;
    const saved = await readMode(file);
    if (saved) return saved;
    // A read-only bucket without saved state was never written through S3: it has no records to find.
    if (this.access.readOnly) return 'xattr';
    const mode = (await acceptsUserXattrs(await this.ensureTmpDir())) ? 'xattr' : 'sidecar';
    try {
      await writeFile(file, mode, { flag: 'wx' });
      return mode;
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
      return (await readMode(file)) ?? mode; // another process decided first
    }
  }
}

async function readMode(file: string): Promise<'xattr' | 'sidecar' | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === 'xattr' || text === 'sidecar' ? text : undefined;
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
}
