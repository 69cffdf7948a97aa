/**
 * Streaming a request body into a file, hashing as bytes pass, never holding more than a few MiB in memory.
 *
 * Large bodies are hashed on a worker thread (checksums/hash-worker.ts): MD5 alone runs at about one core's
 * speed, so hashing on the main thread, between receiving from the socket and writing to the file, caps a PUT
 * near half of that. Writes are positional, one at a time, overlapping with receiving and hashing; with
 * `writeBack`, finished bytes are written back to disk (fdatasync) while the rest still arrives, so the caller's
 * final fsync has little left; and on ext4 and XFS the worker's slots are written with direct I/O, skipping the
 * page cache (file-sink.ts). Every body's bytes are counted for young-gc.ts.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { S3Error } from '../../../errors/s3-error.js';
import { createChecksummer } from '../../../checksums/checksum.js';
import { startOffThreadHash, type OffThreadHash } from '../../../checksums/hash-worker.js';
import { FileSink } from './file-sink.js';
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

function tooLong(size: number): S3Error {
  return new S3Error('BadDigest', `The body is longer than the declared size of ${size} bytes.`);
}

function incomplete(received: number, size: number): S3Error {
  return new S3Error('IncompleteBody', `You did not provide the number of bytes specified by the Content-Length HTTP header: received ${received} of ${size}.`);
}
