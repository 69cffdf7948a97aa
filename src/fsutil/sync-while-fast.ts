/**
 * A switch between synchronous and awaited calls for small file-system work (a few metadata calls). On a local
 * disk with a warm cache a synchronous call costs a few microseconds, several times less than handing it to the
 * thread pool and back; on a NAS each call is a network round trip that, made synchronously, would stall every
 * other client of the process. So the work runs synchronously until it proves slow — several slow runs within
 * one window, not one (a run preempted on a busy host, or a GC pause, is slow now and then) — and awaited from
 * then on for `retryMs`, after which one synchronous run tries again: a burst of preemption on a busy host must
 * not cost a local disk its fast path for good, and a NAS pays one slow call per period for the probe. The same
 * rule the listing walk applies to its lstats (storage/posix/list/stat-batcher.ts).
 */
export class SyncWhileFast {
  #sync = true;
  #runs = 0;
  #slow = 0;
  /** While awaited: when a synchronous run may be tried again (performance.now() time). */
  #retryAt = 0;
  /** The next run is the probe after a period awaited: it alone decides. */
  #probing = false;

  /**
   * @param slowMs a synchronous run longer than this is slow
   * @param slowRuns this many slow runs within `window` runs switch to awaited calls for `retryMs`
   * @param retryMs how long work stays awaited before one synchronous run tries again
   */
  constructor(readonly slowMs: number, readonly slowRuns = 4, readonly window = 32, readonly retryMs = 30_000) {}

  /** True while work should run synchronously (and once per `retryMs` while it is awaited: the probe). */
  get sync(): boolean {
    if (!this.#sync && performance.now() >= this.#retryAt) {
      // The probe: one run decides; slow, and it is awaited for another period.
      this.#sync = true;
      this.#probing = true;
    }
    return this.#sync;
  }

  /** Runs `work` synchronously, timing it. */
  timed<T>(work: () => T): T {
    const t0 = performance.now();
    try {
      return work();
    } finally {
      const end = performance.now();
      const slow = end - t0 > this.slowMs;
      if (slow && (this.#probing || ++this.#slow >= this.slowRuns)) {
        this.#sync = false;
        this.#retryAt = end + this.retryMs;
        this.#slow = 0;
      }
      this.#probing = false;
      if (++this.#runs % this.window === 0) this.#slow = 0;
    }
  }
}
