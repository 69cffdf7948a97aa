/** Runs one operation many times from N concurrent clients, bounded in count and in time. */

export interface ConcurrentOptions {
  concurrency: number;
  /** At most this many operations in all. */
  count: number;
  /** No operation starts after this many milliseconds. */
  timeLimitMs: number;
  /** The operation for index i (0 ≤ i < count); throwing counts as a failure. */
  op: (i: number) => Promise<void>;
}

export interface ConcurrentResult {
  ok: number;
  failed: number;
  seconds: number;
  /** ok operations per second. */
  perSecond: number;
  /** The first failure's message. */
  firstError?: string;
  /** True when the time limit stopped the run before `count`. */
  timedOut: boolean;
}

/** Each client takes the next index until the count or the deadline is reached. */
export async function runConcurrent(options: ConcurrentOptions): Promise<ConcurrentResult> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + options.timeLimitMs;
  const client = async () => {
    while (next < options.count && performance.now() < deadline) {
      const i = next++;
      try {
        await options.op(i);
        ok++;
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const seconds = (performance.now() - start) / 1000;
  return { ok, failed, seconds, perSecond: ok / seconds, firstError, timedOut: next < options.count };
}
