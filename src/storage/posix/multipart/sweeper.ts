/** The background sweep: every bucket's multipart housekeeping on a timer that never keeps the process alive. */
import type { Bucket } from '../buckets/bucket.js';
import { sweepUploads, type SweepReport } from './sweep.js';

/** Abandoned uploads are removed after this long by default: 7 days, as S3 lifecycle rules commonly set. */
export const DEFAULT_MULTIPART_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;
// Often enough that markers (10 min) and crashed Completes do not linger; rarely enough to cost nothing.
const MAX_INTERVAL_MS = 5 * 60 * 1000;
const MIN_INTERVAL_MS = 1000;
const FIRST_SWEEP_MS = 5000;

/** Runs sweepUploads over the buckets `list()` gives, every interval; stop() ends it. */
export class MultipartSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  readonly intervalMs: number;

  constructor(
    private readonly list: () => Promise<Bucket[]>,
    private readonly expiryMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.floor(expiryMs / 4)));
  }

  /** Starts the timer; the first pass comes soon after start-up (what a crash left is cleared early). */
  start(): void {
    this.schedule(Math.min(FIRST_SWEEP_MS, this.intervalMs));
  }

  /** One pass over every writable bucket now; concurrent calls share the pass under way. */
  sweepNow(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sweepNow().finally(() => this.schedule(this.intervalMs));
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    let buckets: Bucket[];
    try {
      buckets = await this.list();
    } catch (e) {
      this.onError(e);
      return;
    }
    for (const bucket of buckets) {
      if (this.stopped) return;
      if (bucket.access.readOnly) continue;
      await sweepUploads(bucket, { expiryMs: this.expiryMs }).catch(this.onError);
    }
  }
}

export type { SweepReport };
