/** 4 KiB objects: PUT, then GET, then HEAD, then DELETE of the same keys, from many concurrent clients. */
import { createHash, randomBytes } from 'node:crypto';
import { runConcurrent, type ConcurrentResult } from './run-concurrent.js';
import type { BenchS3Client } from './s3-client.js';

export interface SmallObjectOptions {
  bucket: string;
  size: number;
  count: number;
  concurrency: number;
  /** Per step. */
  timeLimitMs: number;
  /**
   * What is checked of each answer: 'full' (status, length, ETag) for a gateway; 'length' (status and length)
   * for the bare ceiling server, whose HEAD is one stat and knows no ETag.
   */
  verify?: 'full' | 'length';
}

/** The three steps, run in order by the caller (so it can meter each one). */
export interface SmallObjectSteps {
  put(): Promise<ConcurrentResult>;
  /** Reads keys 0..written-1: those whose PUT was attempted (a failed one counts again as a failed read). */
  get(written: number): Promise<ConcurrentResult>;
  head(written: number): Promise<ConcurrentResult>;
  /** Deletes keys 0..written-1 (the last step: the keys are gone after it). */
  delete(written: number): Promise<ConcurrentResult>;
}

/** The bucket must exist. Every response is checked (status, ETag, length) so a fast wrong answer never counts. */
export function smallObjectSteps(client: BenchS3Client, o: SmallObjectOptions): SmallObjectSteps {
  const body = randomBytes(o.size);
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  const full = (o.verify ?? 'full') === 'full';
  const key = (i: number) => `small/obj-${String(i).padStart(6, '0')}`;
  const run = (count: number, op: (i: number) => Promise<void>) =>
    runConcurrent({ concurrency: o.concurrency, count, timeLimitMs: o.timeLimitMs, op });
  return {
    put: () =>
      run(o.count, async (i) => {
        const res = await client.expectOk({ method: 'PUT', bucket: o.bucket, key: key(i), body });
        if (res.headers.etag !== etag) throw new Error(`PUT ${key(i)}: ETag ${res.headers.etag}, expected ${etag}`);
      }),
    get: (written) =>
      run(written, async (i) => {
        const res = await client.expectOk({ method: 'GET', bucket: o.bucket, key: key(i) });
        if (res.bytes !== o.size) throw new Error(`GET ${key(i)}: ${res.bytes} bytes, expected ${o.size}`);
      }),
    head: (written) =>
      run(written, async (i) => {
        const res = await client.expectOk({ method: 'HEAD', bucket: o.bucket, key: key(i) });
        if (res.headers['content-length'] !== String(o.size) || (full && res.headers.etag !== etag)) {
          throw new Error(`HEAD ${key(i)}: length ${res.headers['content-length']}, ETag ${res.headers.etag}`);
        }
      }),
    delete: (written) =>
      run(written, async (i) => {
        await client.expectOk({ method: 'DELETE', bucket: o.bucket, key: key(i) });
      }),
  };
}
