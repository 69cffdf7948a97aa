/** Copying an object's bytes between the tree and the archive tier: hashed, synced, and read back when asked. */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';

const CHUNK = 1024 * 1024;

/**
 * Writes the first `size` bytes of `src` to a new file `dest` (O_EXCL, mode `mode`), fsyncs it when `fsync`, and
 * with `verify` reads it back and compares SHA-256 digests: a tier on another file system (a NAS mount, a slow
 * disk) must be proven to hold the bytes before the tree lets go of them. Throws on a short source or a mismatch,
 * leaving `dest` for the caller to remove.
 */
export async function verifiedCopy(src: FileHandle, size: number, dest: string, opts: { fsync: boolean; verify: boolean; mode?: number; signal?: AbortSignal }): Promise<void> {
  const out = await open(dest, 'wx', opts.mode ?? 0o600);
  const written = createHash('sha256');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; pos < size;) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, size - pos), pos);
      if (bytesRead === 0) throw new S3Error('InternalError', 'The object\'s data ended before its recorded size while it was being copied.');
      const chunk = buf.subarray(0, bytesRead);
      written.update(chunk);
      await out.write(chunk, 0, bytesRead, pos);
      pos += bytesRead;
    }
    if (opts.fsync) await out.sync();
  } finally {
    await out.close();
  }
  if (!opts.verify) return;
  const digest = written.digest('hex');
  if ((await digestOf(dest, opts.signal)) !== digest) throw new S3Error('InternalError', `The copy ${dest} does not read back as written.`);
}

/** The SHA-256 of a file, read from its start. */
async function digestOf(path: string, signal?: AbortSignal): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; ;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) return h.digest('hex');
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
