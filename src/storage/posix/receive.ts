/** Streaming a request body into a file, hashing as bytes pass, never holding more than one batch in memory. */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { S3Error } from '../../s3/errors.js';
import { createChecksummer } from '../../streams/checksum.js';
import type { ChecksumAlgorithm } from '../backend.js';

/** What was received: byte count, MD5 and (when asked) the checksum, both raw. */
export interface Received {
  size: number;
  md5: Buffer;
  checksum?: Buffer;
}

// Chunks from a socket are small (16–64 KiB): batching them into one writev per MiB saves most system calls.
const BATCH_BYTES = 1024 * 1024;

/**
 * Writes `body` to `fh`, computing MD5 (and `checksum`) on the way. With a declared `size`, fewer bytes is
 * IncompleteBody and more is BadDigest, detected as soon as the excess arrives. A body stream error (client
 * disconnect, failed chunk signature) is rethrown as is.
 */
export async function receiveBody(body: Readable, fh: FileHandle, opts: { size?: number; checksum?: ChecksumAlgorithm }): Promise<Received> {
  const md5 = createHash('md5');
  const checksummer = opts.checksum ? createChecksummer(opts.checksum) : undefined;
  let received = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  // One write in flight while the next batch is hashed: hashing (CPU) and writing (thread pool) overlap.
  let writing: Promise<void> | undefined;
  const flush = async () => {
    await writing;
    writing = writeAll(fh, batch);
    writing.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (opts.size !== undefined && received > opts.size) {
        throw new S3Error('BadDigest', `The body is longer than the declared size of ${opts.size} bytes.`);
      }
      md5.update(buf);
      checksummer?.update(buf);
      batch.push(buf);
      batchBytes += buf.length;
      if (batchBytes >= BATCH_BYTES) await flush();
    }
    if (batch.length) await flush();
    await writing;
  } finally {
    await writing?.catch(() => {}); // never leave a write running on a file the caller is about to discard
  }
  if (opts.size !== undefined && received < opts.size) {
    throw new S3Error('IncompleteBody', `You did not provide the number of bytes specified by the Content-Length HTTP header: received ${received} of ${opts.size}.`);
  }
  return { size: received, md5: md5.digest(), checksum: checksummer?.digest() };
}

/** writev until every byte is written (a regular file may still take fewer bytes than asked). */
async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length) {
    const total = rest.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await fh.writev(rest);
    if (bytesWritten >= total) return;
    if (bytesWritten === 0) throw new Error('write made no progress');
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) { skip -= b.length; continue; }
      next.push(skip ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
}
