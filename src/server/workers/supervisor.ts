/**
 * The primary of --workers: forks N workers (node:cluster, sharing the listeners' ports), restarts one that dies
 * (after a delay that grows while it keeps dying young), hands SIGHUP on to every worker, gathers their metrics
 * for /metrics, and on stop lets each finish its requests (bounded) before it exits.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { isWorkerMessage, SLOT_VARIABLE, type MetricsMessage, type ReadyMessage } from './messages.js';
import { restartDelay } from './restart-delay.js';

/** How the workers are run. */
export interface SupervisorOptions {
  count: number;
  log: Logger;
  /** How long stop() lets workers finish before killing them: longer than their own grace for requests. */
  drainMs: number;
}

/** Workers that are up. */
export interface Supervisor {
  /** What the first worker to listen announced (every worker listens on the same addresses). */
  ready: ReadyMessage;
  /** The live workers' process ids, by slot. */
  pids(): number[];
  /** Sends `signal` to every live worker. */
  signal(signal: NodeJS.Signals): void;
  /** Stops restarting, sends SIGTERM to every worker, waits for them (SIGKILL after drainMs). */
  stop(): Promise<void>;
}

/** A worker that stopped before it listened, at start-up: the whole server stops with its exit code. */
export class WorkerStartError extends Error {
  constructor(readonly exitCode: number) {
    super(`a worker stopped during start-up (exit code ${exitCode})`);
  }
}

interface Slot {
  worker?: Worker;
  startedAt: number;
  streak: number;
  timer?: NodeJS.Timeout;
}

/** Forks `count` workers and resolves once every one listens; rejects with WorkerStartError if one stops first. */
export function superviseWorkers(opts: SupervisorOptions): Promise<Supervisor> {
  const { count, log } = opts;
  const slots: Slot[] = Array.from({ length: count }, () => ({ startedAt: 0, streak: 0 }));
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let starting = true;
  let ready: ReadyMessage | undefined;
  let waiting = count;

  return new Promise<Supervisor>((resolve, reject) => {
    const fork = (i: number): void => {
      const slot = slots[i]!;
      slot.startedAt = Date.now();
      const worker = cluster.fork({ [SLOT_VARIABLE]: String(i) });
      slot.worker = worker;
      worker.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.dirbucket === 'ready') onReady(i, worker, m);
        else answerMetrics(worker, m);
      });
      worker.on('exit', (code, signal) => onExit(i, worker, code, signal));
    };

    const onReady = (i: number, worker: Worker, m: ReadyMessage): void => {
      if (!starting) {
        log.info({ worker: i, pid: worker.process.pid }, 'worker restarted');
        return;
      }
      ready ??= m;
      if (--waiting === 0) {
        starting = false;
        resolve(supervisor);
      }
    };

    const answerMetrics = (worker: Worker, m: MetricsMessage): void => {
      void aggregator.clusterMetrics().then(
        (text) => worker.isConnected() && worker.send({ dirbucket: 'metrics', id: m.id, text } satisfies MetricsMessage),
        (e: Error) => worker.isConnected() && worker.send({ dirbucket: 'metrics', id: m.id, error: e.message } satisfies MetricsMessage),
      );
    };

    const onExit = (i: number, worker: Worker, code: number | null, signal: string | null): void => {
      const slot = slots[i]!;
      if (slot.worker === worker) slot.worker = undefined;
      if (stopping) return;
      if (starting) {
        // The same start-up would fail the same way again: stop everything, with the worker's exit code.
        stopping = true;
        for (const s of slots) s.worker?.process.kill('SIGKILL');
        reject(new WorkerStartError(code ?? 1));
        return;
      }
      const { delayMs, streak } = restartDelay(slot.streak, Date.now() - slot.startedAt);
      slot.streak = streak;
      log.error({ worker: i, pid: worker.process.pid, code, signal, restart_in_ms: delayMs }, 'worker died; restarting it');
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        if (!stopping) fork(i);
      }, delayMs);
    };

    const live = (): Worker[] => slots.flatMap((s) => (s.worker && !s.worker.isDead() ? [s.worker] : []));

    const supervisor: Supervisor = {
      get ready() {
        return ready!;
      },
      pids: () => slots.flatMap((s) => (s.worker?.process.pid ? [s.worker.process.pid] : [])),
      signal: (signal) => {
        for (const w of live()) w.process.kill(signal);
      },
      stop: async () => {
        stopping = true;
        for (const s of slots) clearTimeout(s.timer);
        const workers = live();
        const exited = workers.map((w) => new Promise<void>((done) => (w.isDead() ? done() : w.once('exit', () => done()))));
        for (const w of workers) w.process.kill('SIGTERM');
        const timer = setTimeout(() => {
          for (const w of live()) {
            log.warn({ pid: w.process.pid }, 'worker still busy after the drain time; killing it');
            w.process.kill('SIGKILL');
          }
        }, opts.drainMs);
        await Promise.all(exited);
        clearTimeout(timer);
      },
    };

    for (let i = 0; i < count; i++) fork(i);
  });
}
