/** What the primary of --workers and its workers tell each other over the IPC channel (prom-client adds its own). */

/** A worker is listening: where, so the primary can print the banner once. */
export interface ReadyMessage {
  dirbucket: 'ready';
  /** `scheme://host:port` of the S3 listener. */
  endpoint: string;
  /** The admin listener's, when there is one. */
  admin?: string;
  /** Buckets with object lock and what enforces it, for the banner's lines (the workers do not repeat them). */
  lockedBuckets?: { name: string; enforcement: 'file-system' | 'gateway' }[];
}

/** A worker asks for every worker's metrics added up (its admin listener is answering /metrics); `text` or `error` comes back. */
export interface MetricsMessage {
  dirbucket: 'metrics';
  id: number;
  text?: string;
  error?: string;
}

export type WorkerMessage = ReadyMessage | MetricsMessage;

/** The environment variable telling a worker its slot (0…N-1); a restarted worker takes the slot of the one it replaces. */
export const SLOT_VARIABLE = 'DIRBUCKET_WORKER_SLOT';

/** Whether `m` is one of ours. */
export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { dirbucket?: unknown }).dirbucket === 'string';
}
