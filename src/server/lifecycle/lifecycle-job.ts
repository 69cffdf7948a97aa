/**
 * The lifecycle job: a pass at least once a lifecycle day, by one gateway at a time across every host on the tree.
 * Who runs it is decided by a lease file in the state directory on the tree (fsutil/file-lock.ts): created
 * exclusively, naming its holder, touched while the pass runs; a holder that dies leaves it to be taken over at
 * once on its own host and once untouched for LEASE_STALE_MS anywhere. The others skip their turn.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Backend } from '../../storage/backend.js';
import { tryTakeLock } from '../../fsutil/file-lock.js';
import { sweepLockAsides } from '../../fsutil/lock-asides.js';
import type { Job } from '../jobs.js';
import { bucketsWithRules, lifecyclePass, type LifecyclePassOptions } from './lifecycle-pass.js';
import { actionLogger } from './action-log.js';
import { RefusedTransitions } from './refusals.js';
import { Pacer } from './pacer.js';

/** The lease file, in the state directory. */
export const LEASE_FILE = 'lifecycle.lease';
/** A lease untouched this long belongs to a holder that died or hung (it is touched every sixth of this). */
export const LEASE_STALE_MS = 60_000;

export interface LifecycleJobOptions {
  backend: Backend;
  /** The state directory shared by the gateways on the tree (`<root>/.dirbucket`). */
  stateDir: string;
  daySeconds: number;
  log: Logger;
  staleMs?: number;
  /** The part of the time a pass may keep (pacer.ts; default JOB_SHARE). */
  share?: number;
}

/** The part of one core's time a pass keeps while the gateway serves: 4 KiB GETs lose at most about as much. */
export const JOB_SHARE = 0.05;

/** Holds the lease for `fn`, or answers undefined when another process holds it. */
export async function underLease<R>(stateDir: string, staleMs: number, fn: (stillHeld: () => Promise<boolean>) => Promise<R>): Promise<R | undefined> {
  const lease = await tryTakeLock(join(stateDir, LEASE_FILE), { staleMs, makeDir: true });
  if (!lease) return undefined;
  try {
    // What a gateway killed while breaking a dead holder's lease left beside it (the state directory is small).
    await sweepLockAsides(stateDir, LEASE_FILE).catch(() => {});
    return await fn(lease.stillHeld);
  } finally {
    await lease.release();
  }
}

/** The job, run every lifecycle day (`--lifecycle-day-seconds` shortens it for tests and demos). */
export function lifecycleJob(o: LifecycleJobOptions): Job {
  const intervalMs = o.daySeconds * 1000;
  // Kept across passes: a transition the storage refused is not tried again until its version changes.
  const refusals = new RefusedTransitions(o.daySeconds);
  return {
    name: 'lifecycle',
    intervalMs,
    firstRunMs: Math.min(intervalMs, 30_000),
    run: async (signal) => {
      // Most trees have no rules: then no lease is taken and nothing is walked.
      if (!(await bucketsWithRules(o.backend)).length) return;
      const pass: Omit<LifecyclePassOptions, 'stillHeld'> = {
        backend: o.backend, daySeconds: o.daySeconds, signal, listener: actionLogger(o.log), refusals, pacer: new Pacer(o.share ?? JOB_SHARE),
      };
      const result = await underLease(o.stateDir, o.staleMs ?? LEASE_STALE_MS, (stillHeld) => lifecyclePass({ ...pass, stillHeld }));
      if (!result) o.log.debug({ job: 'lifecycle' }, 'lifecycle: another gateway holds the lease; this turn is skipped');
      else if (result.buckets) o.log.info({ job: 'lifecycle', ...result }, 'lifecycle pass done');
    },
  };
}
