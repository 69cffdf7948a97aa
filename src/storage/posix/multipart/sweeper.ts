/**
 * The background sweep as periodic work: how often it runs for an expiry, and one pass over every writable
 * bucket. The server's job scheduler runs it (PosixBackend.multipartSweepJob); nothing here keeps a timer.
 */
import type { Bucket } from '../buckets/bucket.js';
import { sweepUploads, type SweepReport } from './sweep.js';

/** Abandoned uploads are removed after this long by default: 7 days, as S3 lifecycle rules commonly set. */
export const DEFAULT_MULTIPART_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;
// Often enough that markers (10 min) and crashed Completes do not linger; rarely enough to cost nothing.
const MAX_INTERVAL_MS = 5 * 60 * 1000;
const MIN_INTERVAL_MS = 1000;
const FIRST_SWEEP_MS = 5000;

/** When to sweep for `expiryMs`: every quarter of it (1 s to 5 min); the first pass soon after start-up, so what a crash left is cleared early. */
export function sweepSchedule(expiryMs: number): { intervalMs: number; firstRunMs: number } {
  const intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.floor(expiryMs / 4)));
  return { intervalMs, firstRunMs: Math.min(FIRST_SWEEP_MS, intervalMs) };
}

/**
 * Sweeps each writable bucket in turn, stopping between buckets once `signal` aborts. One bucket's failure does
 * not keep the others from their sweep: the failures are thrown together at the end.
 */
export async function sweepBuckets(buckets: Bucket[], expiryMs: number, signal?: AbortSignal): Promise<void> {
  const failures: Error[] = [];
  for (const bucket of buckets) {
    signal?.throwIfAborted();
    if (bucket.access.readOnly) continue;
    await sweepUploads(bucket, { expiryMs }).catch((e: unknown) => {
      failures.push(new Error(`bucket ${bucket.name}: ${(e as Error)?.message ?? e}`, { cause: e }));
    });
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length) throw new AggregateError(failures, `the multipart sweep failed in ${failures.length} buckets`);
}

export type { SweepReport };
