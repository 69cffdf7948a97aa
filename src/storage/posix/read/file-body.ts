/**
 * A byte range of an open file as a response body. As a Readable it works with any consumer (a fresh buffer
 * per read, like fs.createReadStream). Its writeTo() is the fast path the HTTP sender takes: reads go into a
 * few reused buffers, each handed back only when the socket has taken its bytes (the write callback). A fresh
 * 1 MiB buffer per read made the garbage collector and first-touch page faults the largest costs of a big GET.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { SyncWhileFast } from '../../../fsutil/sync-while-fast.js';
import { Readable, type Writable } from 'node:stream';

// Measured (64 MiB from page cache, 2 cores): 64 KiB reads ~0.5–1 GB/s, 256 KiB ~2–4 GB/s, 1 MiB ~3–8 GB/s,
// 2–4 MiB no better. 1 MiB also bounds what one slow client's response keeps buffered.
const READ_CHUNK = 1024 * 1024;
// Reads up to this size run synchronously while the file system is fast (SyncWhileFast): from the page cache a
// few microseconds, less than the thread pool's round trip; a larger read stays off the event loop.
const QUICK_READ_MAX = 128 * 1024;
// Buffers kept for reuse across responses (each response holds at most two at a time).
const POOL_MAX = 4;
const pool: Buffer[] = [];

function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
}

function giveBack(buf: Buffer): void {
  if (pool.length < POOL_MAX) pool.push(buf);
}

export class FileBody extends Readable {
  #next: number;
  #taken = false;

  /**
   * Bytes `start`..`end` (inclusive) of `fh`, which the caller keeps open until the body is done; small reads
   * synchronous while `quick` allows.
   */
  constructor(private readonly fh: FileHandle, start: number, private readonly end: number, private readonly quick?: SyncWhileFast) {
    super({ highWaterMark: READ_CHUNK });
    this.#next = start;
  }

  override _read(): void {
    const want = Math.min(READ_CHUNK, this.end - this.#next + 1);
    if (want <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafeSlow(want);
    this.fh.read(buf, 0, want, this.#next).then(({ bytesRead }) => {
      this.#next += bytesRead;
      // The file shrank under us: end early (the response is then short, and the client sees it).
      this.push(bytesRead ? buf.subarray(0, bytesRead) : null);
    }, (e: unknown) => this.destroy(e as Error));
  }

  /**
   * Writes the range to `dest` and ends it, reading the next buffer while the last one is being sent.
   * Rejects if `dest` fails or closes first, or the file cannot be read; a file that shrank meanwhile
   * destroys `dest` (its promised length can no longer be kept).
   */
  async writeTo(dest: Writable): Promise<void> {
    if (this.#taken) throw new Error('FileBody.writeTo called twice');
    this.#taken = true;
    let failed: Error | undefined;
    let wake: (() => void) | undefined;
    let ended = false;
    const onClose = () => {
      if (ended) return; // a finished response closes too
      failed ??= Object.assign(new Error('Premature close: the response closed before the body was sent'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      wake?.();
    };
    const onError = (e: Error) => {
      failed ??= e;
      wake?.();
    };
    dest.on('close', onClose);
    dest.on('error', onError);
    // The buffer being sent (at most one), and a promise for its write callback.
    let sending: Promise<void> = Promise.resolve();
    try {
      while (this.#next <= this.end) {
        if (failed) throw failed;
        const buf = takeBuffer();
        const want = Math.min(buf.length, this.end - this.#next + 1);
        let bytesRead: number;
        try {
          const at = this.#next;
          bytesRead = want <= QUICK_READ_MAX && this.quick?.sync
            ? this.quick.timed(() => readSync(this.fh.fd, buf, 0, want, at))
            : (await this.fh.read(buf, 0, want, at)).bytesRead;
        } catch (e) {
          giveBack(buf);
          throw e;
        }
        if (bytesRead === 0) {
          giveBack(buf);
          dest.destroy(new Error('the file shrank while it was being sent'));
          return;
        }
        this.#next += bytesRead;
        await sending;
        if (failed) {
          giveBack(buf);
          throw failed;
        }
        sending = new Promise<void>((resolve) => {
          wake = resolve;
          dest.write(buf.subarray(0, bytesRead), (e) => {
            // After an error the socket may still hold the bytes: the buffer is not reused then.
            if (e) failed ??= e;
            else giveBack(buf);
            resolve();
          });
        });
      }
      await sending;
      if (failed) throw failed;
      await new Promise<void>((resolve) => {
        wake = resolve;
        dest.end(() => {
          ended = true;
          resolve();
        });
      });
      if (failed) throw failed;
    } finally {
      dest.off('close', onClose);
      dest.off('error', onError);
      this.destroy();
    }
  }
}
