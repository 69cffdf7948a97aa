/**
 * Background jobs, owned by the composition root (serve): each on its own timer, one run at a time, errors logged
 * under the job's name, and stop() aborts the runs under way and waits for them.
 */
import type { Logger } from 'pino';
import type { JobReport } from '../admin/api/api-types.js';

/** A job: run(signal) every intervalMs, counted from the end of one run to the start of the next. */
export interface Job {
  /** Names the job in log lines. */
  name: string;
  intervalMs: number;
  /** Delay before the first run; intervalMs by default. */
  firstRunMs?: number;
  /** One run; should return soon once `signal` aborts (the scheduler is stopping). */
  run(signal: AbortSignal): Promise<void>;
}

/** Runs jobs until stop(); timers never keep the process alive on their own. */
export class Jobs {
  private readonly controller = new AbortController();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  /** What each job did so far, for the admin API (GET /admin/v1/jobs). */
  private readonly records = new Map<string, JobReport>();

  /**
   * `ran` hears of every run that ended (the metrics count them). `elsewhere`: another process of this host runs
   * the jobs (with --workers, one worker does), so add() takes them and never runs them.
   */
  constructor(private readonly log: Logger, private readonly ran?: (job: string, ok: boolean) => void, private readonly opts: { elsewhere?: boolean } = {}) {}

  /** Starts `job`'s timer; names are unique. */
  add(job: Job): void {
    if (this.controller.signal.aborted) throw new Error(`the jobs are stopped; ${job.name} cannot start`);
    if (this.timers.has(job.name) || this.records.has(job.name)) throw new Error(`a job named ${job.name} is already scheduled`);
    this.records.set(job.name, { name: job.name, intervalMs: job.intervalMs, runsHere: !this.opts.elsewhere, running: false, runs: 0, failures: 0 });
    if (this.opts.elsewhere) return;
    this.schedule(job, job.firstRunMs ?? job.intervalMs);
  }

  /** Every job's record: last run, last failure, next run, counts (copies). */
  report(): JobReport[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  /** Cancels the timers, aborts runs under way and waits for them to end. */
  async stop(): Promise<void> {
    this.controller.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.running);
  }

  private schedule(job: Job, delayMs: number): void {
    if (this.controller.signal.aborted) return;
    const timer = setTimeout(() => {
      const run = this.runOnce(job).finally(() => {
        this.running.delete(run);
        // The next run is timed from the end of this one, so runs of one job never overlap.
        this.schedule(job, job.intervalMs);
      });
      this.running.add(run);
    }, delayMs);
    timer.unref();
    this.timers.set(job.name, timer);
    this.records.get(job.name)!.nextRun = new Date(Date.now() + delayMs).toISOString();
  }

  /** One run of `job`; logs its failure, never rejects. */
  private async runOnce(job: Job): Promise<void> {
    const { signal } = this.controller;
    const started = Date.now();
    const record = this.records.get(job.name)!;
    record.running = true;
    delete record.nextRun;
    const ended = (ok: boolean, error?: string): void => {
      const now = Date.now();
      record.running = false;
      record.runs++;
      record.lastRun = { started: new Date(started).toISOString(), ended: new Date(now).toISOString(), ok, ms: now - started, ...(error !== undefined ? { error } : {}) };
      if (!ok) {
        record.failures++;
        record.lastFailure = { at: record.lastRun.ended, error: error! };
      }
    };
    try {
      await job.run(signal);
      ended(true);
      this.ran?.(job.name, true);
      this.log.debug({ job: job.name, ms: Date.now() - started }, 'job ran');
    } catch (err) {
      // A run cut short by stop() is no failure.
      if (signal.aborted && (err === signal.reason || (err as Error | undefined)?.name === 'AbortError')) {
        record.running = false;
        this.log.debug({ job: job.name }, 'job stopped');
      } else {
        ended(false, (err as Error | undefined)?.message ?? String(err));
        this.ran?.(job.name, false);
        this.log.error({ err, job: job.name, ms: Date.now() - started }, 'job failed');
      }
    }
  }
}
