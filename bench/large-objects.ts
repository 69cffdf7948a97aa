/** 64 MiB objects: PUT and GET throughput in MiB/s, one request at a time, median of a few iterations. */
import { createHash, randomBytes } from 'node:crypto';
import type { S3Sender } from './s3-client.js';
import { timeIterations, type Throughput } from './time-iterations.js';

const MIB = 1024 * 1024;

export interface LargeObjectOptions {
  bucket: string;
  sizeMiB: number;
  warmups: number;
  iterations: number;
  /** Per direction. */
  timeLimitMs: number;
}

export interface LargeObjectResult {
  put: Throughput;
  /** GETs of objects in the page cache: each read once before (the gateway's own GET path). */
  get: Throughput;
  /** The first GET of each object after its PUT: large synced uploads skip the page cache, so from disk. */
  firstRead: Throughput;
  /** An untimed GET hashed the body and found the bytes that were PUT. */
  roundTripVerified: boolean;
}

/**
 * Times PUTs (UNSIGNED-PAYLOAD, as SDKs send big bodies) of distinct keys, then the first GET of each, then
 * GETs of the same keys again.
 */
export async function measureLargeObjects(client: S3Sender, o: LargeObjectOptions): Promise<LargeObjectResult> {
  const body = randomBytes(o.sizeMiB * MIB);
  const md5 = createHash('md5').update(body).digest('hex');
  const key = (i: number) => `large/obj-${i}`;
  const put = await timeIterations(o, async (i) => {
    const res = await client.expectOk({ method: 'PUT', bucket: o.bucket, key: key(i), body, signPayload: false });
    if (res.headers.etag !== `"${md5}"`) throw new Error(`PUT ${key(i)}: ETag ${res.headers.etag}, expected "${md5}"`);
  });
  const written = o.warmups + put.samples.length;
  const getOne = async (i: number) => {
    const res = await client.expectOk({ method: 'GET', bucket: o.bucket, key: key(i % written) });
    if (res.bytes !== body.length) throw new Error(`GET ${key(i)}: ${res.bytes} bytes, expected ${body.length}`);
  };
  // Every key once, in the order written: uploads synced to disk bypass the page cache
  // (storage/posix/receive.ts), so these read the disk. The warm-ups of the PUTs count as the TCP warm-up.
  const firstRead = await timeIterations({ ...o, warmups: 0, iterations: written }, getOne);
  // The keys again, now in the page cache; if the PUT time limit cut iterations short, GET reuses them.
  const get = await timeIterations(o, getOne);
  const check = await client.expectOk({ method: 'GET', bucket: o.bucket, key: key(0), keep: 'md5' });
  return { put, get, firstRead, roundTripVerified: check.md5 === md5 };
}
