/**
 * A worker's side of --workers: its slot, telling the primary it is ready, every worker's metrics added up (asked
 * of the primary, which gathers them with prom-client's AggregatorRegistry), and noticing the primary is gone.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isWorkerMessage, SLOT_VARIABLE, type MetricsMessage, type ReadyMessage } from './messages.js';

// Longer than prom-client's own 5 s for gathering from the workers, so its error is the one answered.
const METRICS_TIMEOUT_MS = 7_000;

/** This process as a worker of --workers: undefined when it is not one. */
export interface WorkerRole {
  /** 0…N-1, kept by a restarted worker: slot 0 runs the host's background jobs. */
  slot: number;
}

/** This process's role: a worker, or undefined for a process serving alone. */
export function workerRole(): WorkerRole | undefined {
  if (!cluster.isWorker) return undefined;
  return { slot: Number(process.env[SLOT_VARIABLE] ?? 0) };
}

/** Tells the primary this worker listens at `endpoint` (and `admin`), and what its banner should say of object lock. */
export function announceReady(endpoint: string, admin?: string, lockedBuckets?: ReadyMessage['lockedBuckets']): void {
  const m: ReadyMessage = { dirbucket: 'ready', endpoint, ...(admin && { admin }), ...(lockedBuckets && { lockedBuckets }) };
  process.send!(m);
}

let nextId = 0;
const pending = new Map<number, (m: MetricsMessage) => void>();

/**
 * Answers the primary's requests for `registry`'s metrics (prom-client's protocol), and returns what /metrics
 * serves: every worker's metrics added up, in Prometheus text.
 */
export function clusterMetrics(registry: Registry): () => Promise<{ contentType: string; text: string }> {
  // Constructing one installs prom-client's listener for the primary's requests; setRegistries says what it sends.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  process.on('message', (m: unknown) => {
    if (isWorkerMessage(m) && m.dirbucket === 'metrics') pending.get(m.id)?.(m);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer with the metrics in time'));
      }, METRICS_TIMEOUT_MS);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        if (m.text !== undefined) resolve({ contentType: registry.contentType, text: m.text });
        else reject(new Error(`cannot gather the workers' metrics: ${m.error}`));
      });
      const ask: MetricsMessage = { dirbucket: 'metrics', id };
      process.send!(ask);
    });
}

/** Calls `fn` when the primary goes away (killed): a worker must not serve on alone, unsupervised. */
export function onPrimaryGone(fn: () => void): void {
  process.on('disconnect', fn);
}
