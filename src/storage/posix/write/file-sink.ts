/**
 * Positional writes of a request body's byte runs to one file: one writev in flight, write-back while the body
 * still arrives, and direct I/O for whole aligned blocks on ext4 and XFS. receive.ts feeds it.
 */
import { constants } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';

// With writeBack: one fdatasync in flight, started whenever this much more has been written since the last.
const WRITE_BACK_BYTES = 8 * 1024 * 1024;
// Direct I/O: buffers, lengths and file offsets must be multiples of the device's logical block size (512 or
// 4096 bytes on the disks in use); the hashing slots are whole, page-aligned MiBs.
const DIRECT_ALIGN = 4096;
// File systems whose direct I/O is plain and fast (statfs f_type): ext2/3/4 and XFS. Network file systems
// (NFS, SMB, Lustre...) and the rest keep the page cache.
const DIRECT_FS_TYPES = new Set([0xef53, 0x58465342]);

/**
 * Positional writes of consecutive byte runs to one file, plus optional write-back. One writev is in flight at
 * a time (buffered writes to one file take its inode lock anyway: more would only contend for it); what
 * arrives meanwhile is queued and goes in the next writev, together. The first failure (of a write or of a
 * write-back) is kept and thrown by check() and finish(): a write-back error must not be lost, since the
 * kernel reports it to this open file only once and the caller's fsync would then succeed.
 */
export class FileSink {
  /** A second descriptor of the file, opened with O_DIRECT (see bypassCache()). */
  private direct: FileHandle | undefined;
  private next: number;
  private queued: { buffers: Buffer[]; bytes: number; done: () => void }[] = [];
  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private written = 0;
  private writtenAtLastSync = 0;
  private syncing: Promise<void> | undefined;

  constructor(private readonly fh: FileHandle, position: number, private readonly writeBack: boolean) {
    this.next = position;
  }

  /**
   * Queues `buffers` (`bytes` in all) after everything queued before; resolves once they are written, or
   * once writing has failed (see check()). Never rejects.
   */
  write(buffers: Buffer[], bytes: number): Promise<void> {
    return new Promise<void>((done) => {
      this.queued.push({ buffers, bytes, done });
      this.writing ??= this.drain();
    });
  }

  /** Waits until at most `max` runs wait behind the write in flight. */
  async room(max: number): Promise<void> {
    while (this.writing && this.queued.length >= max) await this.writing;
    this.check();
  }

  /** Throws the first write or write-back failure, if any. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every write and write-back; throws the first failure. */
  async finish(): Promise<void> {
    await this.settle();
    this.check();
  }

  /** Waits for every write and write-back, never throwing; then closes the direct descriptor, if any. */
  async settle(): Promise<void> {
    while (this.writing || this.syncing) await Promise.all([this.writing, this.syncing]);
    const direct = this.direct;
    this.direct = undefined;
    await direct?.close().catch(() => {});
  }

  /**
   * From now on, writes of whole 4 KiB blocks at block offsets (the hashing slots) skip the page cache, when
   * the data is to be synced anyway (writeBack) on a local file system that does direct I/O well. Copying a
   * large body into the page cache costs as much CPU as a third of its MD5, and far more where fresh memory
   * is slow to come by (a VM that hands free memory back to its host); and the bytes are written to disk by
   * the caller's fsync in any case. The price: the object is not in the page cache for its first reader.
   * Unaligned runs (the last, short slot) still go through the cache; where O_DIRECT cannot be had, all do.
   */
  async bypassCache(): Promise<void> {
    if (!this.writeBack || this.direct || process.platform !== 'linux' || !constants.O_DIRECT) return;
    const self = `/proc/self/fd/${this.fh.fd}`;
    try {
      if (!DIRECT_FS_TYPES.has((await statfs(self)).type)) return;
      this.direct = await open(self, constants.O_WRONLY | constants.O_DIRECT);
    } catch {
      // not here: every write goes through the page cache
    }
  }

  /** Writes queued runs, all that are waiting in one writev, until none are left. */
  private async drain(): Promise<void> {
    while (this.queued.length) {
      const batch = this.queued;
      this.queued = [];
      const bytes = batch.reduce((n, r) => n + r.bytes, 0);
      const at = this.next;
      this.next += bytes;
      if (!this.failure) {
        try {
          const buffers = batch.length === 1 ? batch[0]!.buffers : batch.flatMap((r) => r.buffers);
          const direct = await this.writeDirect(buffers, at);
          if (direct.count < buffers.length) {
            await writeAll(this.fh, direct.count ? buffers.slice(direct.count) : buffers, at + direct.bytes);
            this.wrote(bytes - direct.bytes);
          }
        } catch (e) {
          this.failure ??= { error: e };
        }
      }
      for (const r of batch) r.done();
    }
    this.writing = undefined;
  }

  /**
   * Writes the leading buffers of `buffers` that are whole blocks (all but a short last slot, which may have been
   * queued with them) at `at` through the direct descriptor; returns how many buffers and bytes it wrote (none
   * without a direct descriptor, at an unaligned offset, or when the kernel refused the alignment: EINVAL, after
   * which direct I/O is given up for this file).
   */
  private async writeDirect(buffers: Buffer[], at: number): Promise<{ count: number; bytes: number }> {
    const direct = this.direct;
    let count = 0;
    let bytes = 0;
    if (direct && at % DIRECT_ALIGN === 0) {
      while (count < buffers.length && buffers[count]!.length % DIRECT_ALIGN === 0) bytes += buffers[count++]!.length;
    }
    if (!count) return { count: 0, bytes: 0 };
    try {
      await writeAll(direct!, count === buffers.length ? buffers : buffers.slice(0, count), at);
      return { count, bytes };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
      this.direct = undefined;
      await direct!.close().catch(() => {});
      return { count: 0, bytes: 0 };
    }
  }

  private wrote(bytes: number): void {
    this.written += bytes;
    if (!this.writeBack || this.syncing || this.failure || this.written - this.writtenAtLastSync < WRITE_BACK_BYTES) return;
    const upTo = this.written;
    this.syncing = this.fh.datasync().then(() => {
      this.writtenAtLastSync = upTo;
    }, (e: unknown) => {
      this.failure ??= { error: e };
    }).finally(() => {
      this.syncing = undefined;
    });
  }
}

/** writev at `position` until every byte is written (a regular file may still take fewer bytes than asked). */
async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length) {
    const total = rest.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await fh.writev(rest, at);
    if (bytesWritten >= total) return;
    if (bytesWritten === 0) throw new Error('write made no progress');
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      next.push(skip ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
}
