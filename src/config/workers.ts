/** `workers`: how many processes serve the listeners, a count or `auto` (one per core the process may use). */
import { availableParallelism } from 'node:os';
import { ConfigError } from './config-error.js';
import type { Origin } from './setting.js';

/** A count far above any core count: a typo (`--workers 800`) is refused rather than forking hundreds. */
export const MAX_WORKERS = 256;

/** A whole number from 1 to MAX_WORKERS, or `auto`; the file may give a number. */
export function parseWorkers(v: unknown, at: Origin): number | 'auto' {
  if (v === 'auto') return 'auto';
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS)) throw new ConfigError(`${at.name}: expected a number of processes from 1 to ${MAX_WORKERS}, or auto, got ${JSON.stringify(v)}`);
  return n;
}

/** The number of processes `workers` asks for: `auto` is the cores this process may run on. */
export function workerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}
