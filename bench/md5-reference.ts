/** The PUT reference: how fast one core computes MD5, the hash every S3 PUT must make for its ETag. */
import { createHash, randomBytes } from 'node:crypto';

const MIB = 1024 * 1024;

export interface Md5Reference {
  /** Median MiB/s over the rounds. */
  mibPerSecond: number;
  samples: number[];
}

/** Hashes `totalMiB` of random data in 1 MiB updates, `rounds` times, on this thread. */
export function measureMd5(totalMiB = 256, rounds = 3): Md5Reference {
  const chunk = randomBytes(MIB);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const hash = createHash('md5');
    const start = performance.now();
    for (let i = 0; i < totalMiB; i++) hash.update(chunk);
    hash.digest();
    samples.push(totalMiB / ((performance.now() - start) / 1000));
  }
  return { mibPerSecond: median(samples), samples };
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
