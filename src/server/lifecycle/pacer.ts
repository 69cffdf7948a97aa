/**
 * Pacing a lifecycle pass that runs inside a serving gateway: the pass shares the event loop with the requests, so
 * after each stretch of work it pauses long enough that it keeps at most `share` of the time (of one core). Why:
 * a pass has all day to run (a day's passes are planned a day apart), while every millisecond it holds the loop is
 * one a GET waits. At 50,000 keys/s flat out, a share of 1/20 still scans 2,500 keys/s, 200 million keys a day.
 * `dirbucket lifecycle run` does not pace: it is the operator asking for a pass now.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Work stretches shorter than this are not worth a pause (a timer costs more than it saves). */
const STRETCH_MS = 20;

/** Paces one pass (see above). */
export class Pacer {
  private since = performance.now();

  /** `share`: the part of the time (0 < share <= 1) the pass may keep. */
  constructor(private readonly share: number) {}

  /** Called between pieces of work: pauses when the work since the last pause has run long enough. */
  async tick(signal?: AbortSignal): Promise<void> {
    const busy = performance.now() - this.since;
    if (busy < STRETCH_MS || this.share >= 1) return;
    await sleep(busy * (1 / this.share - 1), undefined, signal ? { signal } : {}).catch(() => {});
    this.since = performance.now();
  }

  /** Starts a new stretch: what ran since the last tick is not counted (actions, which mostly wait on the disk). */
  restart(): void {
    this.since = performance.now();
  }
}
