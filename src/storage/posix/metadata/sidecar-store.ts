/** Metadata records as small JSON files in the bucket's internal state directory, for file systems without xattrs. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { writeFileAtomic } from '../../../fsutil/atomic-write.js';
import type { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';
import { errnoOf } from '../paths/errno.js';
import { decodeRecord, encodeRecord, type MetaRecord } from './record.js';
import type { MetadataStore } from './store.js';

// Reused by every synchronous read: JS is single-threaded, and the bytes are decoded before the next read.
const READ_BUFFER = Buffer.alloc(64 * 1024);

/**
 * Sidecar store: `<metaDir>/<h[0..2]>/<h>.<ino>.json` with h = sha256(key). Flat and hashed, so keys of any
 * shape (a file 'a' and a directory object 'a/') never collide; keyed by inode too, so a record written for a
 * staging file before its rename cannot clobber the record of the object it replaces.
 */
export class SidecarStore implements MetadataStore {
  readonly kind = 'sidecar' as const;

  /**
   * `tmpDir`: where records are written before their rename (the bucket's tmp directory, on the same file system):
   * the staging sweep removes what a killed writer left there, which no sweep would find among the records.
   * `quick`: the bucket's switch for synchronous metadata calls: while it allows, forget() first looks whether there
   * is a record to remove (a cheap stat), since on the xattr store's overwrites there almost never is, and a failing
   * unlink costs a thread-pool round trip and an error object per PUT.
   */
  constructor(readonly metaDir: string, private readonly fsync: boolean, private readonly tmpDir?: string, private readonly quick?: SyncWhileFast) {}

  /** The sidecar file of `key` at inode `ino`. */
  fileOf(key: string, ino: bigint | string): string {
    const h = createHash('sha256').update(key).digest('hex');
    return `${this.metaDir}/${h.slice(0, 2)}/${h}.${ino}.json`;
  }

  read(_path: string, key: string, ino: bigint): MetaRecord | undefined {
    let fd: number | undefined;
    try {
      // open + one read + close: a record is small, so no fstat for its size (readFileSync's extra call).
      fd = openSync(this.fileOf(key, ino), 'r');
      const n = readSync(fd, READ_BUFFER, 0, READ_BUFFER.length, 0);
      return n < READ_BUFFER.length ? decodeRecord(READ_BUFFER.toString('utf8', 0, n)) : decodeRecord(readFileSync(fd));
    } catch {
      return undefined; // missing or unreadable: the object simply has no record
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  async readAsync(_path: string, key: string, ino: bigint): Promise<MetaRecord | undefined> {
    try {
      return decodeRecord(await readFile(this.fileOf(key, ino)));
    } catch {
      return undefined;
    }
  }

  async write(_path: string, key: string, record: MetaRecord): Promise<void> {
    const file = this.fileOf(key, record.ino);
    // Written aside and renamed, so a reader never sees half a record (directory records are rewritten in place).
    await writeFileAtomic(file, encodeRecord(record), { fsync: this.fsync, syncDir: this.fsync, mkdir: true, tempDir: this.tmpDir });
  }

  async forget(key: string, ino: bigint): Promise<void> {
    const file = this.fileOf(key, ino);
    if (this.quick?.sync && !this.quick.timed(() => existsSync(file))) return;
    await unlink(file).catch((e: unknown) => {
      if (errnoOf(e) !== 'ENOENT') throw e;
    });
  }
}
