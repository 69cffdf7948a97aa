/** ListObjectsV2 over a nested tree, page by page with continuation tokens, in keys per second. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from './md5-reference.js';
import { runConcurrent, type ConcurrentResult } from './run-concurrent.js';
import type { BenchS3Client } from './s3-client.js';

/** The i-th key of the tree: 20 top directories × 10 subdirectories × 100 files for 20,000 keys. */
export function treeKey(i: number): string {
  const top = String(Math.floor(i / 1000)).padStart(2, '0');
  const sub = Math.floor(i / 100) % 10;
  const file = String(i % 100).padStart(3, '0');
  return `d${top}/e${sub}/f${file}.dat`;
}

/** Writes the tree straight to disk, as NAS users would, with no S3 metadata at all. */
export async function createTreeOnDisk(bucketDir: string, count: number): Promise<void> {
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    const keys = Array.from({ length: Math.min(batch, count - start) }, (_, j) => treeKey(start + j));
    await Promise.all(
      keys.map(async (key) => {
        const path = join(bucketDir, key);
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, key);
      }),
    );
  }
}

/** Writes the same tree through S3, so listing takes the metadata read path; returns the PUT rate too. */
export function createTreeThroughS3(
  client: BenchS3Client,
  bucket: string,
  o: { count: number; concurrency: number; timeLimitMs: number },
): Promise<ConcurrentResult> {
  return runConcurrent({
    ...o,
    op: async (i) => {
      await client.expectOk({ method: 'PUT', bucket, key: treeKey(i), body: Buffer.from(treeKey(i)) });
    },
  });
}

export interface ListingResult {
  /** Median keys/s over the rounds. */
  keysPerSecond: number;
  samples: number[];
  pagesPerRound: number;
}

/**
 * Lists the whole bucket `rounds` times in pages of 1000, and checks every round returned exactly
 * `expectedKeys` keys in strictly ascending order, so a fast but wrong listing fails instead of passing.
 */
export async function measureListing(
  client: BenchS3Client,
  bucket: string,
  o: { expectedKeys: number; rounds: number; timeLimitMs: number },
): Promise<ListingResult> {
  const samples: number[] = [];
  let pages = 0;
  const deadline = performance.now() + o.timeLimitMs;
  const maxPages = Math.ceil(o.expectedKeys / 1000) + 1;
  for (let r = 0; r < o.rounds && (r === 0 || performance.now() < deadline); r++) {
    let token: string | undefined;
    let total = 0;
    let last = '';
    pages = 0;
    const start = performance.now();
    do {
      if (++pages > maxPages) throw new Error(`listing ${bucket} did not end within ${maxPages} pages`);
      const query: Record<string, string> = { 'list-type': '2', 'max-keys': '1000' };
      if (token) query['continuation-token'] = token;
      const res = await client.expectOk({ method: 'GET', bucket, query, keep: 'text' });
      const page = parseListPage(res.text ?? '');
      for (const key of page.keys) {
        if (Buffer.compare(Buffer.from(key), Buffer.from(last)) <= 0 && total > 0) {
          throw new Error(`listing ${bucket}: key ${key} after ${last}, not in S3 order`);
        }
        last = key;
        total++;
      }
      if (page.truncated && page.keys.length !== 1000) {
        throw new Error(`listing ${bucket}: truncated page of ${page.keys.length} keys, expected full pages of 1000`);
      }
      token = page.truncated ? page.nextToken : undefined;
      if (page.truncated && !token) throw new Error(`listing ${bucket}: truncated page without NextContinuationToken`);
    } while (token);
    const seconds = (performance.now() - start) / 1000;
    if (total !== o.expectedKeys) throw new Error(`listing ${bucket}: ${total} keys, expected ${o.expectedKeys}`);
    samples.push(total / seconds);
  }
  return { keysPerSecond: median(samples), samples, pagesPerRound: pages };
}

interface ListPage {
  keys: string[];
  truncated: boolean;
  nextToken?: string;
}

// A regex reader instead of a full XML parser keeps the client's CPU share small while the server is measured.
function parseListPage(xml: string): ListPage {
  const keys: string[] = [];
  for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(m[1]!));
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  const token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1];
  return { keys, truncated, nextToken: token === undefined ? undefined : unescapeXml(token) };
}

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}
