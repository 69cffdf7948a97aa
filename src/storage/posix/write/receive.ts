/**
 * Streaming a request body into a file, hashing as bytes pass, never holding more than a few MiB in memory.
 *
 * Large bodies are hashed on a worker thread (streams/hash-worker.ts): MD5 alone runs at about one core's
 * speed, so hashing on the main thread, between receiving from the socket and writing to the file, caps a PUT
 * near half of that. Writes are positional, one at a time, overlapping with receiving and hashing; with
 * `writeBack`, finished bytes are written back to disk (fdatasync) while the rest still arrives, so the caller's
 * final fsync has little left; and on ext4 and XFS the worker's slots are written with direct I/O, skipping the
 * page cache (FileSink.bypassCache). Every body's bytes are counted for streams/young-gc.ts.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { S3Error } from '../../../errors/s3-error.js';
import { createChecksummer } from '../../../checksums/checksum.js';
import { startOffThreadHash, type OffThreadHash } from '../../../checksums/hash-worker.js';
import { bodyReceived } from './young-gc.js';
import type { ChecksumAlgorithm } from '../../backend.js';

/** What was received: byte count, MD5 and (when asked) the checksum, both raw. */
export interface Received {
  size: number;
  md5: Buffer;
  checksum?: Buffer;
}

export interface ReceiveOptions {
  /** The declared length: fewer bytes is IncompleteBody, more is BadDigest. */
  size?: number;
  checksum?: ChecksumAlgorithm;
  /** Where in the file the body's first byte goes (default 0: the start of a fresh file). */
  position?: number;
  /** Start writing the data back to disk while receiving (when the caller will fsync the file anyway). */
  writeBack?: boolean;
}

// Chunks from a socket are small (16–64 KiB): batching them into one writev per MiB saves most system calls.
// A body shorter than this is hashed inline: a worker round trip would cost more than its hashing.
const BATCH_BYTES = 1024 * 1024;
// Inline path: batches that may wait behind the write in flight (each holds its buffers until written).
const MAX_INLINE_QUEUED = 1;
// With writeBack: one fdatasync in flight, started whenever this much more has been written since the last.
const WRITE_BACK_BYTES = 8 * 1024 * 1024;
// Direct I/O: buffers, lengths and file offsets must be multiples of the device's logical block size (512 or
// 4096 bytes on the disks in use); the hashing slots are whole, page-aligned MiBs.
const DIRECT_ALIGN = 4096;
// File systems whose direct I/O is plain and fast (statfs f_type): ext2/3/4 and XFS. Network file systems
// (NFS, SMB, Lustre...) and the rest keep the page cache.
const DIRECT_FS_TYPES = new Set([0xef53, 0x58465342]);

/**
 * Writes `body` to `fh`, computing MD5 (and `checksum`) on the way. With a declared `size`, fewer bytes is
 * IncompleteBody and more is BadDigest, detected as soon as the excess arrives. A body stream error (client
 * disconnect, failed chunk signature) is rethrown as is. A body declared at 1 MiB or more is hashed on a worker
 * thread from its first byte. Otherwise the first MiB is only collected: a body that ends sooner is hashed
 * inline; a longer one on a worker thread. When every worker is busy, hashing is inline.
 */
export async function receiveBody(body: Readable, fh: FileHandle, opts: ReceiveOptions): Promise<Received> {
  const limit = opts.size;
  const sink = new FileSink(fh, opts.position ?? 0, opts.writeBack === true);
  let received = 0;
  const head: Buffer[] = [];
  const it = (body as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const rest = { [Symbol.asyncIterator]: () => it };
  try {
    // A body declared large goes to a worker from its first byte.
    const early = limit !== undefined && limit >= BATCH_BYTES ? startOffThreadHash(opts.checksum) : undefined;
    if (early) return await receiveOffThread(rest, sink, early, [], 0, limit);
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      const buf = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      received += buf.length;
      bodyReceived(buf.length);
      if (limit !== undefined && received > limit) throw tooLong(limit);
      head.push(buf);
      if (received >= BATCH_BYTES) {
        const job = startOffThreadHash(opts.checksum);
        return job
          ? await receiveOffThread(rest, sink, job, head, received, limit)
          : await receiveInline(rest, sink, opts.checksum, head, received, limit);
      }
    }
  } catch (e) {
    await it.return?.().catch(() => {});
    await sink.settle();
    throw e;
  }
  // A small body: everything is in `head`.
  if (limit !== undefined && received < limit) throw incomplete(received, limit);
  const md5 = createHash('md5');
  const checksummer = opts.checksum ? createChecksummer(opts.checksum) : undefined;
  for (const b of head) {
    md5.update(b);
    checksummer?.update(b);
  }
  if (head.length) sink.write(head, received);
  await sink.finish();
  return { size: received, md5: md5.digest(), checksum: checksummer?.digest() };
}

/** The body past its first MiB, hashed on the main thread, batches written while the next ones are hashed. */
async function receiveInline(body: AsyncIterable<Buffer | string>, sink: FileSink, alg: ChecksumAlgorithm | undefined,
  head: Buffer[], headBytes: number, limit: number | undefined): Promise<Received> {
  const md5 = createHash('md5');
  const checksummer = alg ? createChecksummer(alg) : undefined;
  let received = headBytes;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const add = (buf: Buffer) => {
    md5.update(buf);
    checksummer?.update(buf);
    batch.push(buf);
    batchBytes += buf.length;
  };
  const flush = async () => {
    await sink.room(MAX_INLINE_QUEUED);
    sink.write(batch, batchBytes);
    batch = [];
    batchBytes = 0;
  };
  try {
    for (const b of head) add(b);
    await flush();
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      bodyReceived(buf.length);
      if (limit !== undefined && received > limit) throw tooLong(limit);
      add(buf);
      if (batchBytes >= BATCH_BYTES) await flush();
    }
    if (batch.length) await flush();
    if (limit !== undefined && received < limit) throw incomplete(received, limit);
    await sink.finish();
  } finally {
    await sink.settle(); // never leave a write running on a file the caller is about to discard
  }
  return { size: received, md5: md5.digest(), checksum: checksummer?.digest() };
}

/**
 * The body past its first MiB, hashed on a worker. Chunks are copied into the job's shared slots (a memcpy
 * costs a fraction of MD5); each full slot goes to the worker and to a positional write at once. The digest is
 * asked for only after every write succeeded and the size was checked, so a failed upload never produces one.
 */
async function receiveOffThread(body: AsyncIterable<Buffer | string>, sink: FileSink, job: OffThreadHash,
  head: Buffer[], headBytes: number, limit: number | undefined): Promise<Received> {
  let received = headBytes;
  let slot: Buffer | undefined;
  let fill = 0;
  let ok = false;
  await sink.bypassCache();
  const dispatch = () => {
    job.submit(slot!, fill, sink.write([slot!.subarray(0, fill)], fill));
    slot = undefined;
    fill = 0;
  };
  // Copies from `off` on as far as the free slots allow; returns where it stopped. Synchronous, so that a
  // chunk that fits costs no await.
  const copyIn = (buf: Buffer, off: number): number => {
    while (off < buf.length) {
      if (!slot) {
        sink.check();
        slot = job.trySlot();
        if (!slot) return off;
      }
      const n = buf.copy(slot, fill, off);
      fill += n;
      off += n;
      if (fill === slot.length) dispatch();
    }
    return off;
  };
  // The rest of `buf` from `off` on, waiting for slots as they come free.
  const addRest = async (buf: Buffer, off: number) => {
    while (off < buf.length) {
      slot = await job.nextSlot();
      off = copyIn(buf, off);
    }
  };
  try {
    for (const b of head) await addRest(b, copyIn(b, 0));
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      bodyReceived(buf.length);
      if (limit !== undefined && received > limit) throw tooLong(limit);
      const off = copyIn(buf, 0);
      if (off < buf.length) await addRest(buf, off);
    }
    if (fill) dispatch();
    if (limit !== undefined && received < limit) throw incomplete(received, limit);
    await sink.finish();
    const digest = await job.digest();
    ok = true;
    return { size: received, md5: digest.md5, checksum: digest.checksum };
  } finally {
    if (!ok) job.abandon();
    await sink.settle();
  }
}

/**
 * Positional writes of consecutive byte runs to one file, plus optional write-back. One writev is in flight at
 * a time (buffered writes to one file take its inode lock anyway: more would only contend for it); what
 * arrives meanwhile is queued and goes in the next writev, together. The first failure (of a write or of a
 * write-back) is kept and thrown by check() and finish(): a write-back error must not be lost, since the
 * kernel reports it to this open file only once and the caller's fsync would then succeed.
 */
class FileSink {
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

function tooLong(size: number): S3Error {
  return new S3Error('BadDigest', `The body is longer than the declared size of ${size} bytes.`);
}

function incomplete(received: number, size: number): S3Error {
  return new S3Error('IncompleteBody', `You did not provide the number of bytes specified by the Content-Length HTTP header: received ${received} of ${size}.`);
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
