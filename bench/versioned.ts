/**
 * Versioned buckets against unversioned ones in the same run (issue #11 targets): 4 KiB PUT, overwrite and GET
 * (>= 90% of the unversioned rates), a 64 MiB overwrite (within 10% of an unversioned one: no data is copied),
 * ListObjectsV2 over 20,000 keys × 3 versions (>= 90% of 20,000 unversioned keys), and ListObjectVersions over
 * it (>= 30,000 versions/s). Each pair is measured in ABBA order, so a drift of the host's speed during the
 * phase falls on both sides alike.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createTreeThroughS3, measureListing } from './listing.js';
import { median } from './md5-reference.js';
import { runConcurrent, type ConcurrentResult } from './run-concurrent.js';
import type { BenchS3Client, S3Sender } from './s3-client.js';
import { timeIterations, type Throughput } from './time-iterations.js';

const MIB = 1024 * 1024;

/** Turns versioning on for `bucket` (PutBucketVersioning, Enabled). */
export async function enableVersioning(client: S3Sender, bucket: string): Promise<void> {
  await client.expectOk({
    method: 'PUT', bucket, query: { versioning: '' },
    body: Buffer.from('<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>'),
  });
}

/** A pair of rates: the unversioned bucket's and the versioned one's, from the same runs. */
export interface Pair<T> {
  plain: T;
  versioned: T;
}

/** Sums of runs: ok operations over their seconds. */
export interface SummedRun {
  perSecond: number;
  ok: number;
  failed: number;
  seconds: number;
  timedOut: boolean;
  firstError?: string;
}

function sum(runs: ConcurrentResult[]): SummedRun {
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  return {
    ok, seconds, perSecond: seconds > 0 ? ok / seconds : 0,
    failed: runs.reduce((n, r) => n + r.failed, 0),
    timedOut: runs.some((r) => r.timedOut),
    firstError: runs.find((r) => r.firstError)?.firstError,
  };
}

/** Runs `a` then `b` then `b` then `a` on halves of the work; `run(side, half)`. */
async function abba<T>(run: (side: 'plain' | 'versioned', half: 0 | 1) => Promise<T>): Promise<Pair<T[]>> {
  const plain: T[] = [];
  const versioned: T[] = [];
  plain.push(await run('plain', 0));
  versioned.push(await run('versioned', 0));
  versioned.push(await run('versioned', 1));
  plain.push(await run('plain', 1));
  return { plain, versioned };
}

/** The small-object figures of both buckets. */
export interface SmallPairs {
  put: Pair<SummedRun>;
  overwrite: Pair<SummedRun>;
  get: Pair<SummedRun>;
}

/**
 * 4 KiB objects in both buckets: PUT of new keys, PUT again over them (in the versioned bucket each one keeps the
 * version it replaces), GET. Every response is checked (status, ETag or length, and a version id where due).
 */
export async function measureSmallPairs(client: BenchS3Client, o: {
  buckets: Pair<string>; size: number; count: number; concurrency: number; timeLimitMs: number;
}): Promise<SmallPairs> {
  const body = randomBytes(o.size);
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  const half = Math.floor(o.count / 2);
  const key = (h: 0 | 1, i: number) => `small/obj-${String(h * half + i).padStart(6, '0')}`;
  const run = (op: (i: number) => Promise<void>) => runConcurrent({ concurrency: o.concurrency, count: half, timeLimitMs: o.timeLimitMs / 2, op });
  const put = (side: 'plain' | 'versioned', h: 0 | 1) => run(async (i) => {
    const res = await client.expectOk({ method: 'PUT', bucket: o.buckets[side], key: key(h, i), body });
    if (res.headers.etag !== etag) throw new Error(`PUT ${key(h, i)}: ETag ${res.headers.etag}, expected ${etag}`);
    if ((side === 'versioned') !== (res.headers['x-amz-version-id'] !== undefined)) {
      throw new Error(`PUT ${key(h, i)} in the ${side} bucket: x-amz-version-id ${res.headers['x-amz-version-id']}`);
    }
  });
  const get = (side: 'plain' | 'versioned', h: 0 | 1) => run(async (i) => {
    const res = await client.expectOk({ method: 'GET', bucket: o.buckets[side], key: key(h, i) });
    if (res.bytes !== o.size) throw new Error(`GET ${key(h, i)}: ${res.bytes} bytes, expected ${o.size}`);
  });
  const pairOf = (p: Pair<ConcurrentResult[]>): Pair<SummedRun> => ({ plain: sum(p.plain), versioned: sum(p.versioned) });
  return {
    put: pairOf(await abba(put)),
    overwrite: pairOf(await abba(put)),
    get: pairOf(await abba(get)),
  };
}

/**
 * A 64 MiB object PUT again and again over one key (raw connection, UNSIGNED-PAYLOAD), in each bucket: in the
 * versioned one every PUT demotes the previous version, which must cost no copy. Iterations alternate sides.
 */
export async function measureLargeOverwrite(client: S3Sender, o: {
  buckets: Pair<string>; sizeMiB: number; warmups: number; iterations: number; timeLimitMs: number;
}): Promise<Pair<Throughput>> {
  const body = randomBytes(o.sizeMiB * MIB);
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  const putOver = (side: 'plain' | 'versioned') => async () => {
    const res = await client.expectOk({ method: 'PUT', bucket: o.buckets[side], key: 'large/overwritten', body, signPayload: false });
    if (res.headers.etag !== etag) throw new Error(`PUT large/overwritten (${side}): ETag ${res.headers.etag}, expected ${etag}`);
  };
  // Each bucket gets its first object (and the warm-ups) before anything is timed: every timed PUT overwrites.
  for (const side of ['plain', 'versioned'] as const) for (let i = 0; i <= o.warmups; i++) await putOver(side)();
  const plain: number[] = [];
  const versioned: number[] = [];
  const deadline = performance.now() + o.timeLimitMs;
  for (let n = 0; n < o.iterations && (n === 0 || performance.now() < deadline); n++) {
    const order = n % 2 === 0 ? (['plain', 'versioned'] as const) : (['versioned', 'plain'] as const);
    for (const side of order) {
      const t = await timeIterations({ sizeMiB: o.sizeMiB, warmups: 0, iterations: 1, timeLimitMs: o.timeLimitMs }, putOver(side));
      (side === 'plain' ? plain : versioned).push(t.samples[0]!);
    }
  }
  return { plain: { mibPerSecond: median(plain), samples: plain }, versioned: { mibPerSecond: median(versioned), samples: versioned } };
}

/** Writes the listing tree through S3 `passes` times (in a versioned bucket: `passes` versions of every key). */
export async function writeTreeVersions(client: BenchS3Client, bucket: string, o: {
  count: number; passes: number; concurrency: number; timeLimitMs: number;
}): Promise<SummedRun> {
  const runs: ConcurrentResult[] = [];
  for (let p = 0; p < o.passes; p++) {
    const r = await createTreeThroughS3(client, bucket, o);
    runs.push(r);
    if (r.failed > 0 || r.timedOut) break;
  }
  return sum(runs);
}

/** ListObjectsV2 over both trees, the rounds alternating between them. */
export async function measureListingPair(client: BenchS3Client, buckets: Pair<string>, o: {
  expectedKeys: number; rounds: number; timeLimitMs: number;
}): Promise<Pair<{ keysPerSecond: number; samples: number[] }>> {
  const plain: number[] = [];
  const versioned: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    for (const side of r % 2 === 0 ? (['plain', 'versioned'] as const) : (['versioned', 'plain'] as const)) {
      const one = await measureListing(client, buckets[side], { expectedKeys: o.expectedKeys, rounds: 1, timeLimitMs: o.timeLimitMs });
      (side === 'plain' ? plain : versioned).push(one.samples[0]!);
    }
  }
  return { plain: { keysPerSecond: median(plain), samples: plain }, versioned: { keysPerSecond: median(versioned), samples: versioned } };
}

export interface VersionListingResult {
  /** Median versions (and delete markers) listed per second. */
  versionsPerSecond: number;
  samples: number[];
  pagesPerRound: number;
}

/**
 * ListObjectVersions over the whole versioned tree, in pages of 1000 (key-marker + version-id-marker), `rounds`
 * times. Checks every round: keys in ascending order, each key's versions newest first with exactly one latest,
 * `versionsPerKey` versions for each of `keys` keys, so a fast wrong answer fails.
 */
export async function measureVersionListing(client: BenchS3Client, bucket: string, o: {
  keys: number; versionsPerKey: number; rounds: number; timeLimitMs: number;
}): Promise<VersionListingResult> {
  const expected = o.keys * o.versionsPerKey;
  const maxPages = Math.ceil(expected / 1000) + 1;
  const samples: number[] = [];
  let pages = 0;
  const deadline = performance.now() + o.timeLimitMs;
  for (let r = 0; r < o.rounds && (r === 0 || performance.now() < deadline); r++) {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    let total = 0;
    let keys = 0;
    let lastKey = '';
    let lastId = '';
    let ofKey = 0;
    pages = 0;
    const start = performance.now();
    for (;;) {
      if (++pages > maxPages) throw new Error(`ListObjectVersions ${bucket} did not end within ${maxPages} pages`);
      const query: Record<string, string> = { versions: '', 'max-keys': '1000' };
      if (keyMarker !== undefined) query['key-marker'] = keyMarker;
      if (versionMarker !== undefined) query['version-id-marker'] = versionMarker;
      const res = await client.expectOk({ method: 'GET', bucket, query, keep: 'text' });
      const xml = res.text ?? '';
      for (const m of xml.matchAll(/<(?:Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>([^<]*)<\/VersionId><IsLatest>(true|false)<\/IsLatest>/g)) {
        const [, key, id, latest] = m;
        if (key !== lastKey) {
          if (keys > 0 && ofKey !== o.versionsPerKey) throw new Error(`${lastKey}: ${ofKey} versions, expected ${o.versionsPerKey}`);
          if (keys > 0 && Buffer.compare(Buffer.from(key!), Buffer.from(lastKey)) <= 0) throw new Error(`key ${key} after ${lastKey}`);
          if (latest !== 'true') throw new Error(`${key}: the first version listed is not the latest`);
          keys++;
          ofKey = 0;
        } else if (latest === 'true' || id! >= lastId) {
          throw new Error(`${key}: versions not newest first, or two latest`);
        }
        lastKey = key!;
        lastId = id!;
        ofKey++;
        total++;
      }
      if (!/<IsTruncated>true<\/IsTruncated>/.test(xml)) break;
      keyMarker = /<NextKeyMarker>([^<]*)<\/NextKeyMarker>/.exec(xml)?.[1];
      versionMarker = /<NextVersionIdMarker>([^<]*)<\/NextVersionIdMarker>/.exec(xml)?.[1];
      if (keyMarker === undefined) throw new Error(`ListObjectVersions ${bucket}: truncated page without NextKeyMarker`);
    }
    const seconds = (performance.now() - start) / 1000;
    if (ofKey !== o.versionsPerKey && keys > 0) throw new Error(`${lastKey}: ${ofKey} versions, expected ${o.versionsPerKey}`);
    if (keys !== o.keys || total !== expected) throw new Error(`ListObjectVersions ${bucket}: ${keys} keys, ${total} versions; expected ${o.keys} and ${expected}`);
    samples.push(total / seconds);
  }
  return { versionsPerSecond: median(samples), samples, pagesPerRound: pages };
}
