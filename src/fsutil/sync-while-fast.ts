/**
 * A switch between synchronous and awaited calls for small file-system work (a few metadata calls). On a local
 * disk with a warm cache a synchronous call costs a few microseconds, several times less than handing it to the
 * thread pool and back; on a NAS each call is a network round trip that, made synchronously, would stall every
 * other client of the process. So the work runs synchronously until it proves slow — several slow runs within
 * one window, not one (a run preempted on a busy host, or a GC pause, is slow now and then) — and awaited from
 * then on, for good. The same rule the listing walk applies to its lstats (storage/posix/list/stat-batcher.ts).
 */
export class SyncWhileFast {
  #sync = true;
  #runs = 0;
  #slow = 0;

  /**
   * @param slowMs a synchronous run longer than this is slow
   * @param slowRuns this many slow runs within `window` runs switch to awaited calls for good
   */
  constructor(readonly slowMs: number, readonly slowRuns = 4, readonly window = 32) {}

  /** True while work should run synchronously. */
  get sync(): boolean {
    return this.#sync;
  }

  /** Runs `work` synchronously, timing it. */
  timed<T>(work: () => T): T {
    const t0 = performance.now();
    try {
      return work();
    } finally {
      if (performance.now() - t0 > this.slowMs && ++this.#slow >= this.slowRuns) this.#sync = false;
      if (++this.#runs % this.window === 0) this.#slow = 0;
    }
  }
}
