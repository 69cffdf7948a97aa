/** Times a few sequential transfers of a fixed size after untimed warm-ups, and reports the median rate. */
import { median } from './md5-reference.js';

export interface Throughput {
  /** Median MiB/s over the timed iterations. */
  mibPerSecond: number;
  samples: number[];
}

export interface IterationOptions {
  sizeMiB: number;
  /** Untimed iterations first: they let TCP grow its loopback windows, which otherwise dominate the first transfers. */
  warmups: number;
  iterations: number;
  /** No timed iteration starts after this (one always runs). */
  timeLimitMs: number;
}

/** Calls op(0..warmups-1) untimed, then op(warmups..) timed; each call moves sizeMiB. */
export async function timeIterations(o: IterationOptions, op: (i: number) => Promise<void>): Promise<Throughput> {
  for (let i = 0; i < o.warmups; i++) await op(i);
  const samples: number[] = [];
  const deadline = performance.now() + o.timeLimitMs;
  for (let n = 0; n < o.iterations && (n === 0 || performance.now() < deadline); n++) {
    const start = performance.now();
    await op(o.warmups + n);
    samples.push(o.sizeMiB / ((performance.now() - start) / 1000));
  }
  return { mibPerSecond: median(samples), samples };
}
