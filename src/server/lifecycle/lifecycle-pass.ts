/** One lifecycle pass over every bucket with rules (or one bucket): what the job runs, and `dirbucket lifecycle run`. */
import type { Backend } from '../../storage/backend.js';
import { bucketPass, type PassListener } from './bucket-pass.js';
import type { RefusedTransitions } from './refusals.js';
import type { Pacer } from './pacer.js';

export interface LifecyclePassOptions {
  backend: Backend;
  daySeconds: number;
  /** Only this bucket. */
  bucket?: string;
  /** Plan and report, act on nothing. */
  dryRun?: boolean;
  listener?: PassListener & { bucketFailed?(bucket: string, err: unknown): void };
  signal?: AbortSignal;
  /** Checked before each action: false (the lease was lost) ends the pass. */
  stillHeld?: () => Promise<boolean>;
  /** Transitions refused by earlier passes, not tried again (the job keeps one across its passes). */
  refusals?: RefusedTransitions;
  /** Paces the scan (the job, in a serving gateway; pacer.ts). */
  pacer?: Pacer;
}

/** What a pass did: buckets with rules, keys looked at, actions done. */
export interface LifecyclePassResult {
  buckets: number;
  scanned: number;
  actions: number;
}

/** The buckets with an enabled rule: a tree without any needs no lease and no walk. */
export async function bucketsWithRules(backend: Backend): Promise<string[]> {
  const out: string[] = [];
  for (const b of await backend.listBuckets()) {
    const rules = await backend.getBucketConfig({ bucket: b.name, name: 'lifecycle' }).catch(() => undefined);
    if (rules?.some((r) => r.enabled)) out.push(b.name);
  }
  return out;
}

/** Runs the rules of each bucket once. A bucket that fails is reported and the pass goes on with the next. */
export async function lifecyclePass(o: LifecyclePassOptions): Promise<LifecyclePassResult> {
  const names = o.bucket !== undefined ? [o.bucket] : await bucketsWithRules(o.backend);
  const total: LifecyclePassResult = { buckets: 0, scanned: 0, actions: 0 };
  for (const bucket of names) {
    o.signal?.throwIfAborted();
    try {
      const rules = await o.backend.getBucketConfig({ bucket, name: 'lifecycle' });
      if (!rules?.some((r) => r.enabled)) continue;
      total.buckets++;
      const r = await bucketPass({ ...o, bucket, rules });
      total.scanned += r.scanned;
      total.actions += r.actions;
    } catch (e) {
      if (o.signal?.aborted || o.bucket !== undefined || (o.stillHeld && !(await o.stillHeld()))) throw e;
      o.listener?.bucketFailed?.(bucket, e);
    }
  }
  return total;
}
