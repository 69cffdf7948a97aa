/**
 * Transitions the storage refused (a version whose lock the file system enforces, a class the bucket cannot take,
 * an archived version asked to go back to a class kept in the tree), remembered per key and version until the
 * version changes, so the passes that follow do not try them again, each one copy and one refusal apiece. Kept by
 * the job across its passes, in memory: a restart (a new archive directory, say) tries them all once more, and so
 * does the passing of RETRY_DAYS (a retention that ended, a lock lifted).
 */
import type { ListedVersion } from '../../storage/backend.js';
import type { PlannedAction } from './plan.js';

/** Lifecycle days after which a refusal is tried again even though the version has not changed. */
export const RETRY_DAYS = 7;
/** The most refusals kept; past it the oldest are forgotten (and tried again, once). */
const MAX_KEPT = 100_000;

/** The refused transitions of one job (see above). */
export class RefusedTransitions {
  /** bucket, key, version → the version as it was refused, and until when that holds. */
  private readonly kept = new Map<string, { seen: string; untilMs: number }>();

  constructor(private readonly daySeconds: number) {}

  /** Whether `a`, planned for the version `v` of `bucket`, was refused for this very version. */
  refused(bucket: string, a: PlannedAction, v: ListedVersion, now = Date.now()): boolean {
    const k = this.kept.get(slot(bucket, a));
    if (!k) return false;
    if (k.seen === seenAs(a, v) && now < k.untilMs) return true;
    this.kept.delete(slot(bucket, a));
    return false;
  }

  /** Remembers that `a`, for the version `v` of `bucket`, was refused. */
  remember(bucket: string, a: PlannedAction, v: ListedVersion, now = Date.now()): void {
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(slot(bucket, a), { seen: seenAs(a, v), untilMs: now + RETRY_DAYS * this.daySeconds * 1000 });
  }
}

const slot = (bucket: string, a: PlannedAction) => `${bucket}\0${a.key}\0${a.versionId ?? ''}`;

/** The version as the refusal saw it, and where it was to go: any change (or another target) is tried afresh. */
function seenAs(a: PlannedAction, v: ListedVersion): string {
  const o = v.object;
  return [a.storageClass, o?.etag, o?.size, v.lastModified.getTime(), o?.storageClass].join('\0');
}
